package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingSourceTable;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import static io.pgfreezer.engine.ArchiveRunIT.sensorReadings;
import static io.pgfreezer.engine.SafetyIT.archivedRows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each line of the delete path that keeps a row from being deleted without being archived, held
 * by what ends up in PostgreSQL and in the archive, not by the wording of a message: every test
 * here fails when its line is removed.
 */
class DeletePathSafetyIT {
    static final String DAY_22 = "recorded_at >= '2024-01-22' AND recorded_at < '2024-01-23'";

    static UnaryOperator<ObjectStorage> noFaults() {
        return UnaryOperator.identity();
    }

    @Test
    void aRowInsertedBetweenThePreCheckAndAChunksDeleteIsNeverDeleted() {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        List<DeleteChunk> struck = new ArrayList<>();
        UnaryOperator<SourceTable> insertBeforeThirdChunk = t -> new ForwardingSourceTable(t) {
            int deletes;

            @Override
            protected void beforeDelete(DeleteChunk chunk) {
                if (chunk.from().toString().startsWith("2024-01-22") && ++deletes == 3) {
                    // The pre-check has passed for every chunk; only the in-transaction guard
                    // stands between this row and a DELETE of its range.
                    f.sql("INSERT INTO sensor_readings VALUES ('" + chunk.from().plusMillis(1) + "', 9, 1.0, 'slipped in')");
                    struck.add(chunk);
                }
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), noFaults(), UnaryOperator.identity(), insertBeforeThirdChunk,
                x -> { });

        assertThat(struck).hasSize(1);
        DeleteChunk chunk = struck.get(0);
        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE note = 'slipped in'"))
                .as("the row that was never archived is still in PostgreSQL").isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '" + chunk.from()
                + "' AND recorded_at < '" + chunk.to() + "'"))
                .as("the chunk's delete was rolled back whole").isEqualTo(chunk.rows() + 1);
        // The two chunks deleted before it are in the verified archive; with the rest of the
        // window they account for every row the window had.
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + DAY_22)).isEqualTo(144 + 1 - 80);
    }

    @Test
    void aRowArrivingAfterTheExportInTheLastChunkStopsTheBatchBeforeAnyChunkIsDeleted() {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        UnaryOperator<ObjectStorage> insertLate = s -> new ForwardingStorage(s) {
            @Override
            protected void afterCommit(String key) {
                if (key.contains("day=22")) {
                    f.sql("INSERT INTO sensor_readings VALUES ('2024-01-22 23:55:00+00', 9, 1.0, 'late arrival')");
                }
            }
        };

        RunReport report = f.run(ArchiveRunIT.options(), insertLate, UnaryOperator.identity(), x -> { });

        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        BatchManifest failed = f.manifests("sensor_readings").stream()
                .filter(m -> m.status() == BatchStatus.FAILED).findFirst().orElseThrow();
        assertThat(failed.deleteChunks()).hasSizeGreaterThan(1);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + DAY_22))
                .as("every chunk of the window is still in PostgreSQL").isEqualTo(145);
    }

    @Test
    void chunksEndOnlyBetweenDistinctTimestampsSoRowsSharingOneAreDeletedTogether() {
        ArchiveFixture f = ArchiveFixture.local().clock(ArchiveRunIT.CLOCK)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2)).deleteChunkRows(10);
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                // 25 rows in each of 6 instants: every chunk of 10 would end inside a run of equals.
                "INSERT INTO sensor_readings SELECT timestamptz '2024-01-22 00:00+00' + (i / 25) * interval '1 hour', i, 0, "
                        + "'same instant' FROM generate_series(0, 149) i",
                "INSERT INTO sensor_readings VALUES ('2024-01-31 00:00+00', 0, 0, 'recent')");

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        BatchManifest done = f.manifests("sensor_readings").get(0);
        assertThat(done.deleteChunks()).hasSizeGreaterThan(1)
                .allSatisfy(c -> assertThat(c.rows() % 25).isZero());
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + DAY_22)).isZero();
        assertThat(archivedRows(f)).isEqualTo(150);
    }

    @Test
    void onlyTheChecksumSeesAnObjectSwappedForAnotherValidFileAndNothingIsDeleted() {
        ArchiveFixture f = sensorReadings();
        AtomicBoolean swapped = new AtomicBoolean();
        UnaryOperator<ObjectStorage> swapFooter = s -> new ForwardingStorage(s) {
            @Override
            protected void afterCommit(String key) {
                if (key.contains("day=22") && key.endsWith("data.parquet")) {
                    swapped.set(rewriteFooterBatchId(f.root.resolve(key)));
                }
            }
        };

        RunReport report = f.run(ArchiveRunIT.options(), swapFooter, UnaryOperator.identity(), x -> { });

        assertThat(swapped).isTrue();
        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + DAY_22))
                .as("the window's rows stay in PostgreSQL").isEqualTo(144);
    }

    /**
     * Replaces the batch id in the footer's metadata with another of the same length: the file
     * keeps its size, row count and every page, and still decodes; only its bytes differ.
     */
    static boolean rewriteFooterBatchId(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int at = text.lastIndexOf("pg_freezer.batch_id");
            if (at < 0) {
                return false;
            }
            // Thrift writes the value after its length prefix: find the 16 hex characters.
            int start = -1;
            for (int i = at + "pg_freezer.batch_id".length(); i + 16 <= text.length(); i++) {
                if (text.substring(i, i + 16).matches("[0-9a-f]{16}")) {
                    start = i;
                    break;
                }
            }
            if (start < 0) {
                return false;
            }
            for (int i = start; i < start + 16; i++) {
                bytes[i] = (byte) (bytes[i] == 'f' ? '0' : 'f');
            }
            Files.write(file, bytes);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
