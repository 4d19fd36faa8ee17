package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.source.ChunkDeleter;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingManifestStore;
import io.pgfreezer.testing.ForwardingSourceTable;
import io.pgfreezer.testing.ForwardingStorage;
import io.pgfreezer.testing.SimulatedCrash;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import static io.pgfreezer.engine.ArchiveRunIT.sensorReadings;
import static io.pgfreezer.engine.SafetyIT.archivedRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
            @Override
            protected void beforeDelete(DeleteChunk chunk) {
                // The window's third chunk (chunks of 40 rows, one row every 10 minutes); named by
                // its start, since with two sessions the DELETEs do not start one after another.
                if (chunk.from().equals(ArchiveFixture.at("2024-01-22T13:20:00Z"))) {
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
        // The second chunk's record was still being written when the third chunk's delete ran:
        // the failed batch is recorded after it landed, and says both chunks are gone.
        assertThat(f.manifests("sensor_readings")).filteredOn(m -> m.status() == BatchStatus.FAILED).singleElement()
                .satisfies(m -> assertThat(m.chunksDeleted()).isEqualTo(2));
    }

    @Test
    void aChunkDeletedWhileTheRecordOfTheChunkBeforeItIsLostIsRolledBackAndTheResumeDeletesNoUnarchivedRow() {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        long before = f.count(SafetyIT.ARCHIVED);
        List<DeleteChunk> day23 = new ArrayList<>();
        CountDownLatch secondChunkDeletedUncommitted = new CountDownLatch(1);
        UnaryOperator<SourceTable> watchDeletes = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeDelete(DeleteChunk chunk) {
                if (chunk.from().toString().startsWith("2024-01-23")) {
                    synchronized (day23) {
                        day23.add(chunk);
                    }
                }
            }

            @Override
            protected ChunkDeleter.OpenDelete afterDelete(DeleteChunk chunk, ChunkDeleter.OpenDelete delete) {
                if (chunk.from().equals(ArchiveFixture.at("2024-01-23T06:40:00Z"))) {
                    secondChunkDeletedUncommitted.countDown();
                }
                return delete;
            }
        };
        AtomicBoolean overlapped = new AtomicBoolean();
        UnaryOperator<ManifestStore> loseTheFirstChunksRecord = store -> new ForwardingManifestStore(store) {
            @Override
            protected void beforeSave(BatchManifest m) {
                if (m.windowStart().equals(ArchiveFixture.at("2024-01-23T00:00:00Z")) && m.chunksDeleted() == 1) {
                    // The first chunk is committed; its record is being written while the second
                    // chunk's DELETE runs, and the process dies before the record lands.
                    try {
                        overlapped.set(secondChunkDeletedUncommitted.await(30, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new SimulatedCrash("while recording the first chunk of 2024-01-23");
                }
            }
        };

        assertThatThrownBy(() -> f.runWithTables(ArchiveRunIT.options(), noFaults(), loseTheFirstChunksRecord, watchDeletes,
                x -> { })).hasRootCauseInstanceOf(SimulatedCrash.class);

        assertThat(overlapped).as("the record was being written while the next chunk's DELETE ran").isTrue();
        // With a spare session the third chunk's DELETE may have started too; it was rolled back.
        assertThat(day23).hasSizeBetween(2, 3);
        day23.sort(java.util.Comparator.comparing(DeleteChunk::from));
        DeleteChunk first = day23.get(0);
        DeleteChunk second = day23.get(1);
        assertThat(f.count(rangeCount(first))).as("the first chunk's delete committed").isZero();
        assertThat(f.count(rangeCount(second))).as("the second chunk's delete waited for the record, and was rolled back")
                .isEqualTo(second.rows());
        for (DeleteChunk later : day23.subList(2, day23.size())) {
            assertThat(f.count(rangeCount(later))).as("a later chunk's delete was rolled back").isEqualTo(later.rows());
        }
        BatchManifest recorded = f.manifests("sensor_readings").stream()
                .filter(m -> m.windowStart().equals(ArchiveFixture.at("2024-01-23T00:00:00Z"))).findFirst().orElseThrow();
        assertThat(recorded.status()).isEqualTo(BatchStatus.DELETING);
        assertThat(recorded.chunksDeleted()).isZero();

        // While the process was down, a row arrived in a chunk not yet deleted.
        f.sql("INSERT INTO sensor_readings VALUES ('2024-01-23 20:00:00.5+00', 5, 5.0, 'late arrival')");
        RunReport resumed = f.runAll();

        BatchManifest failed = f.manifests("sensor_readings").stream()
                .filter(m -> m.status() == BatchStatus.FAILED).findFirst().orElseThrow();
        assertThat(failed.chunksDeleted()).as("the interrupted run's commit is on record").isEqualTo(1);
        assertThat(resumed.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(f.count(rangeCount(second))).as("nothing more was deleted while a row is not archived")
                .isEqualTo(second.rows());
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE note = 'late arrival'")).isEqualTo(1);

        f.sql("UPDATE sensor_readings SET recorded_at = '2024-01-31 00:00:00+00' WHERE note = 'late arrival'");
        RunReport forced = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));

        assertThat(forced.succeeded()).as(forced.batches().toString()).isTrue();
        assertThat(f.count(SafetyIT.ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
    }

    @Test
    void theNextChunksDeleteRunsOnASecondSessionWhileTheChunkBeforeItIsStillOpen() throws Exception {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        long before = f.count(SafetyIT.ARCHIVED);
        CountDownLatch secondRan = new CountDownLatch(1);
        AtomicBoolean overlapped = new AtomicBoolean();
        List<DeleteChunk> day22 = new ArrayList<>();
        UnaryOperator<SourceTable> holdTheFirstChunkOpen = t -> new ForwardingSourceTable(t) {
            @Override
            protected ChunkDeleter.OpenDelete afterDelete(DeleteChunk chunk, ChunkDeleter.OpenDelete delete) {
                if (!chunk.from().toString().startsWith("2024-01-22")) {
                    return delete;
                }
                int n;
                synchronized (day22) {
                    day22.add(chunk);
                    n = day22.size();
                }
                if (n == 2) {
                    secondRan.countDown();
                } else if (n == 1) {
                    // One session would only start the second chunk once this one has ended.
                    try {
                        overlapped.set(secondRan.await(20, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return delete;
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), noFaults(), UnaryOperator.identity(),
                holdTheFirstChunkOpen, x -> { });

        assertThat(overlapped).as("the second chunk's DELETE ran while the first was still uncommitted").isTrue();
        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(f.count(SafetyIT.ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(f.manifests("sensor_readings")).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(BatchStatus.DONE);
            assertThat(m.chunksDeleted()).isEqualTo(m.deleteChunks().size());
        });
    }

    @Test
    void withNoConnectionToSpareEachChunkIsDeletedOnlyAfterTheOneBeforeItEnded() {
        // One table in progress holds the only connection.
        ArchiveFixture f = sensorReadings().deleteChunkRows(40).poolSize(1);
        long before = f.count(SafetyIT.ARCHIVED);
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger mostOpen = new java.util.concurrent.atomic.AtomicInteger();
        UnaryOperator<SourceTable> countOpenDeletes = t -> new ForwardingSourceTable(t) {
            @Override
            protected ChunkDeleter.OpenDelete afterDelete(DeleteChunk chunk, ChunkDeleter.OpenDelete delete) {
                mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                return new ChunkDeleter.OpenDelete() {
                    @Override
                    public long rows() {
                        return delete.rows();
                    }

                    @Override
                    public void commit() {
                        open.decrementAndGet();
                        delete.commit();
                    }

                    @Override
                    public void rollback() {
                        open.decrementAndGet();
                        delete.rollback();
                    }
                };
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), noFaults(), UnaryOperator.identity(),
                countOpenDeletes, x -> { });

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(mostOpen).hasValue(1);
        assertThat(f.count(SafetyIT.ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
    }

    static String rangeCount(DeleteChunk c) {
        return "SELECT count(*) FROM sensor_readings WHERE recorded_at >= '" + c.from() + "' AND recorded_at < '" + c.to() + "'";
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
