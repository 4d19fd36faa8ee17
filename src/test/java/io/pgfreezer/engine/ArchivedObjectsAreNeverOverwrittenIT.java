package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.storage.VersionedBytes;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingStorage;
import io.pgfreezer.testing.S3FaultProxy;
import io.pgfreezer.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once a window is archived and its rows deleted, its object is the only copy of those rows. A
 * manifest that is lost, unreadable or put back stale must never lead the tool to export the
 * window again into the same key: each sequence below used to rewrite {@code data.parquet} with
 * only the rows left in PostgreSQL. On both backends; on S3 through a proxy that injects the
 * faults at the HTTP level.
 */
class ArchivedObjectsAreNeverOverwrittenIT {
    static final String TABLE = "sensor_readings";
    static final String DAY_28 = TABLE + "/year=2024/month=01/day=28/data.parquet";
    static final String WINDOW_28 = "recorded_at >= '2024-01-28' AND recorded_at < '2024-01-29'";
    static final long ROWS_PER_DAY = 48;

    private final List<S3FaultProxy> proxies = new ArrayList<>();

    @AfterEach
    void stopProxies() {
        proxies.forEach(S3FaultProxy::close);
    }

    /** Three daily windows to archive, on a local directory or on S3 behind a fault proxy. */
    ArchiveFixture threeDays(String backend) {
        ArchiveFixture f;
        if (backend.equals("s3")) {
            f = ArchiveFixture.s3("archive-" + UUID.randomUUID().toString().substring(0, 8));
            S3FaultProxy proxy = S3FaultProxy.inFrontOf(URI.create(S3ProxyServer.shared().endpoint()));
            proxies.add(proxy);
            f.endpoint(proxy.endpoint());
        } else {
            f = ArchiveFixture.local();
        }
        f.clock(ArchiveRunIT.CLOCK).table(TABLE, "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                "INSERT INTO sensor_readings SELECT t, 1, 0.5, 'n' || n FROM generate_series("
                        + "timestamptz '2024-01-27 00:00+00', timestamptz '2024-02-01 11:00+00', interval '30 minutes') "
                        + "WITH ORDINALITY AS g(t, n)");
        return f;
    }

    S3FaultProxy proxy() {
        return proxies.get(0);
    }

    static String manifestKey(ArchiveFixture f) {
        BatchManifest day28 = f.manifests(TABLE).stream()
                .filter(m -> m.parquetPath() != null && m.parquetPath().equals(DAY_28)).findFirst().orElseThrow();
        return StorageManifestStore.key(TABLE, day28.batchId());
    }

    static byte[] object(ArchiveFixture f, String key) {
        try (ObjectStorage storage = f.openStorage(); InputStream in = storage.open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows in an archived object, decoded from a copy of what storage holds. */
    static long rowsIn(byte[] object) {
        try {
            Path copy = Files.createTempFile("pg-freezer-object-", ".parquet");
            Files.write(copy, object);
            try {
                return ParquetArchiveReader.verify(copy).rowsDecoded();
            } finally {
                Files.delete(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void insertLateRowInto28(ArchiveFixture f) {
        f.sql("INSERT INTO sensor_readings VALUES ('2024-01-28 12:00:00.25+00', 7, 1.0, 'late')");
    }

    /** After the first run: day 28 archived whole and deleted. */
    static byte[] archiveAll(ArchiveFixture f) {
        RunReport first = f.runAll();
        assertThat(first.succeeded()).as(first.batches().toString()).isTrue();
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + WINDOW_28)).isZero();
        byte[] archived = object(f, DAY_28);
        assertThat(rowsIn(archived)).isEqualTo(ROWS_PER_DAY);
        return archived;
    }

    /** The claim of every sequence: the object is unchanged and every row is in one of the two places. */
    static void nothingLost(ArchiveFixture f, byte[] archived) {
        byte[] now = object(f, DAY_28);
        assertThat(now).as("the archived object is unchanged").isEqualTo(archived);
        assertThat(rowsIn(now)).isEqualTo(ROWS_PER_DAY);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + WINDOW_28 + " AND note = 'late'"))
                .as("the late row is still in PostgreSQL").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aDeletedManifestNeverLetsALateRowReplaceTheArchivedWindow(String backend) {
        ArchiveFixture f = threeDays(backend);
        byte[] archived = archiveAll(f);
        try (ObjectStorage storage = f.openStorage()) {
            storage.delete(manifestKey(f));
        }
        insertLateRowInto28(f);

        RunReport again = f.runAll();

        assertThat(again.succeeded()).isFalse();
        BatchOutcome failed = again.batches().stream().filter(b -> b.result() == BatchOutcome.Result.FAILED)
                .findFirst().orElseThrow();
        assertThat(failed.message()).contains(DAY_28).contains("kept untouched").contains("--force");
        nothingLost(f, archived);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aManifestThatAnswers404IsNeverTakenAsNoManifest(String backend) {
        ArchiveFixture f = threeDays(backend);
        byte[] archived = archiveAll(f);
        String manifest = manifestKey(f);
        insertLateRowInto28(f);
        UnaryOperator<ObjectStorage> lose = UnaryOperator.identity();
        if (backend.equals("s3")) {
            proxy().fail(r -> r.method().equals("GET") && r.path().endsWith(manifest),
                    new S3FaultProxy.Respond(404, "NoSuchKey"), 1_000);
        } else {
            lose = s -> new ForwardingStorage(s) {
                @Override
                public Optional<VersionedBytes> read(String key) {
                    return key.equals(manifest) ? Optional.empty() : super.read(key);
                }
            };
        }

        RunReport again = f.run(ArchiveRunIT.options(), lose, UnaryOperator.identity(), x -> { });

        assertThat(again.succeeded()).isFalse();
        assertThat(again.tableErrors().toString()).contains(manifest).contains("404");
        nothingLost(f, archived);
    }

    /**
     * Archives everything, then puts day 28's EXPORTING manifest of that run back over its DONE
     * one, as a store without conditional writes would let a delayed PUT do, or a restore of an
     * old copy by hand. Returns the archived object as it was.
     */
    static byte[] archiveAllThenPutBackAStaleManifest(ArchiveFixture f) {
        List<byte[]> exporting = new ArrayList<>();
        UnaryOperator<ObjectStorage> record = s -> new ForwardingStorage(s) {
            @Override
            public String put(String key, byte[] data, String contentType, Precondition condition) {
                String text = new String(data, StandardCharsets.UTF_8);
                if (key.startsWith("_manifests/") && text.contains("\"EXPORTING\"") && text.contains("day=28")) {
                    exporting.add(data.clone());
                }
                return super.put(key, data, contentType, condition);
            }
        };
        assertThat(f.run(ArchiveRunIT.options(), record, UnaryOperator.identity(), x -> { }).succeeded()).isTrue();
        byte[] archived = object(f, DAY_28);
        try (ObjectStorage storage = f.openStorage()) {
            storage.put(manifestKey(f), exporting.get(0), "application/json");
        }
        assertThat(f.manifests(TABLE).stream().filter(m -> m.partition().endsWith("day=28")).findFirst().orElseThrow()
                .status()).isEqualTo(BatchStatus.EXPORTING);
        return archived;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aStaleManifestPutBackAfterTheWindowWasDeletedNeverLetsItBeReExported(String backend) {
        ArchiveFixture f = threeDays(backend);
        byte[] archived = archiveAllThenPutBackAStaleManifest(f);
        insertLateRowInto28(f);

        RunReport again = f.runAll();

        assertThat(again.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        nothingLost(f, archived);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aStaleManifestOfAWindowWithNoRowsLeftIsRecordedDoneFromTheObject(String backend) {
        ArchiveFixture f = threeDays(backend);
        byte[] archived = archiveAllThenPutBackAStaleManifest(f);

        RunReport again = f.runAll();

        assertThat(again.succeeded()).as(again.batches().toString()).isTrue();
        assertThat(object(f, DAY_28)).isEqualTo(archived);
        BatchManifest adopted = f.manifests(TABLE).stream().filter(m -> DAY_28.equals(m.parquetPath()))
                .findFirst().orElseThrow();
        assertThat(adopted.status()).isEqualTo(BatchStatus.DONE);
        assertThat(adopted.rowCount()).isEqualTo(ROWS_PER_DAY);
        assertThat(adopted.parquetSha256()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "s3"})
    void aWindowsFirstFileIsNeverAddedToAPartitionThatAlreadyHoldsFilesNoManifestExplains(String backend) {
        ArchiveFixture f = threeDays(backend);
        byte[] archived = archiveAll(f);
        String late = TABLE + "/year=2024/month=01/day=28/late-1.parquet";
        try (ObjectStorage storage = f.openStorage()) {
            // As if day 28 had been archived (with a late file) and both its data file and its
            // manifests were lost: the late file is all that is left of its archive.
            storage.put(late, archived, null);
            storage.delete(DAY_28);
            storage.list("_manifests/" + TABLE + "/").forEach(o -> storage.delete(o.key()));
        }
        insertLateRowInto28(f);

        RunReport again = f.runAll();

        assertThat(again.count(BatchOutcome.Result.FAILED)).as(again.batches() + " " + again.tableErrors()).isEqualTo(1);
        try (ObjectStorage storage = f.openStorage()) {
            assertThat(storage.stat(DAY_28)).as("no data file was added beside the late file").isEmpty();
        }
        assertThat(object(f, late)).isEqualTo(archived);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + WINDOW_28 + " AND note = 'late'")).isEqualTo(1);
    }

    @Test
    void aForcedRetryNeverSetsAsideAnAttemptWhoseRowsAreNoLongerAllInPostgres() {
        ArchiveFixture f = threeDays("local");
        // A row is removed between export and delete: the guard fails the batch, nothing deleted.
        UnaryOperator<ObjectStorage> removeOne = s -> new ForwardingStorage(s) {
            @Override
            protected void afterCommit(String key) {
                if (key.equals(DAY_28)) {
                    f.sql("DELETE FROM sensor_readings WHERE recorded_at = '2024-01-28 06:00+00'");
                }
            }
        };
        RunReport first = f.run(ArchiveRunIT.options(), removeOne, UnaryOperator.identity(), x -> { });
        assertThat(first.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        byte[] attempt = object(f, DAY_28);

        RunReport forced = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));

        // The object holds a row PostgreSQL no longer has: it is the only copy of that row, so
        // it stays where it is instead of being set aside for a re-export without the row.
        assertThat(forced.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(object(f, DAY_28)).isEqualTo(attempt);
        assertThat(rowsIn(attempt)).isEqualTo(ROWS_PER_DAY);
    }

    @Test
    void aDelayedManifestPutFromAnEarlierStepIsRefusedByTheServer() {
        ArchiveFixture f = threeDays("s3");
        byte[] archived = archiveAll(f);
        String manifest = manifestKey(f);
        S3FaultProxy.Request exportingPut = proxy().seen().stream()
                .filter(r -> r.method().equals("PUT") && r.path().endsWith(manifest)
                        && new String(r.body(), StandardCharsets.UTF_8).contains("EXPORTING"))
                .findFirst().orElseThrow();

        int status = proxy().deliverAgain(exportingPut);

        assertThat(status).as("the server refuses the stale write").isEqualTo(412);
        BatchManifest current = f.manifests(TABLE).stream().filter(m -> DAY_28.equals(m.parquetPath()))
                .findFirst().orElseThrow();
        assertThat(current.status()).isEqualTo(BatchStatus.DONE);

        insertLateRowInto28(f);
        RunReport again = f.runAll();
        assertThat(again.succeeded()).as(again.batches().toString()).isTrue();
        assertThat(object(f, DAY_28)).isEqualTo(archived);
        assertThat(rowsIn(object(f, TABLE + "/year=2024/month=01/day=28/late-1.parquet"))).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + WINDOW_28)).isZero();
    }
}
