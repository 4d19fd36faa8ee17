package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.notify.BatchFailure;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import io.pgfreezer.testing.ForwardingManifestStore;
import io.pgfreezer.testing.ForwardingStorage;
import io.pgfreezer.testing.SimulatedCrash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.pgfreezer.engine.ArchiveRunIT.sensorReadings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The claims operators rely on before they let the tool delete: each one against real servers. */
class SafetyIT {
    static final String ARCHIVED = "SELECT count(*) FROM sensor_readings WHERE recorded_at < '2024-01-30'";

    static long archivedRows(ArchiveFixture f) {
        return Long.parseLong(DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(f.root, "sensor_readings")).get(0).get(0));
    }

    static long distinctArchivedRows(ArchiveFixture f) {
        return Long.parseLong(DuckDb.rows("SELECT count(*) FROM (SELECT DISTINCT recorded_at, note FROM "
                + DuckDb.table(f.root, "sensor_readings") + ")").get(0).get(0));
    }

    @Test
    void aCorruptedObjectBlocksTheDeleteAndFailsTheBatch() {
        ArchiveFixture f = sensorReadings();
        long before = f.count(ARCHIVED);
        List<BatchFailure> webhook = new ArrayList<>();
        UnaryOperator<ObjectStorage> corruptFirst = s -> new ForwardingStorage(s) {
            boolean done;

            @Override
            protected void afterCommit(String key) {
                if (!done) {
                    done = true;
                    flipByte(f.root.resolve(key), 100);
                }
            }
        };

        RunReport report = f.run(ArchiveRunIT.options(), corruptFirst, UnaryOperator.identity(), webhook::add);

        assertThat(report.succeeded()).isFalse();
        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(webhook).hasSize(1);
        assertThat(webhook.get(0).error()).contains("Verification failed").contains("SHA-256");
        BatchManifest failed = f.manifests("sensor_readings").stream()
                .filter(m -> m.status() == BatchStatus.FAILED).findFirst().orElseThrow();
        assertThat(failed.windowStart()).isEqualTo(ArchiveFixture.at("2024-01-20T00:00:00Z"));
        // The corrupted window's rows are all still in PostgreSQL; the other nine were archived.
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < '2024-01-21'")).isEqualTo(144);
        assertThat(f.count(ARCHIVED)).isEqualTo(144);

        RunReport skipped = f.runAll();
        assertThat(skipped.count(BatchOutcome.Result.SKIPPED_FAILED)).isEqualTo(1);
        assertThat(skipped.succeeded()).isFalse();

        RunReport forced = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));
        assertThat(forced.succeeded()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
    }

    @Test
    void aRowInsertedBetweenExportAndDeleteIsNeverLost() {
        ArchiveFixture f = sensorReadings();
        long before = f.count(ARCHIVED);
        UnaryOperator<ObjectStorage> insertLate = s -> new ForwardingStorage(s) {
            @Override
            protected void afterCommit(String key) {
                if (key.contains("day=22")) {
                    f.sql("INSERT INTO sensor_readings VALUES ('2024-01-22 12:00:00.5+00', 99, 1.0, 'late arrival')");
                }
            }
        };

        RunReport report = f.run(ArchiveRunIT.options(), insertLate, UnaryOperator.identity(), x -> { });

        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        BatchOutcome failed = report.batches().stream().filter(b -> b.result() == BatchOutcome.Result.FAILED)
                .findFirst().orElseThrow();
        assertThat(failed.message()).contains("Delete guard").contains("1 more row(s)").contains("nothing was deleted");
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE note = 'late arrival'")).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '2024-01-22' AND recorded_at < '2024-01-23'"))
                .isEqualTo(145);

        RunReport forced = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));

        assertThat(forced.succeeded()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before + 1);
        assertThat(DuckDb.rows("SELECT sensor_id FROM " + DuckDb.table(f.root, "sensor_readings")
                + " WHERE note = 'late arrival'")).containsExactly(List.of("99"));
    }

    @Test
    void aRowArrivingAfterItsWindowIsDoneIsArchivedAsAnExtraFileInTheSamePartition() {
        ArchiveFixture f = sensorReadings();
        long before = f.count(ARCHIVED);
        f.runAll();
        f.sql("INSERT INTO sensor_readings VALUES ('2024-01-25 08:00:00+00', 7, 2.0, 'after done')");

        RunReport second = f.runAll();

        assertThat(second.succeeded()).isTrue();
        assertThat(second.count(BatchOutcome.Result.DONE)).isEqualTo(1);
        assertThat(f.root.resolve("sensor_readings/year=2024/month=01/day=25/late-1.parquet")).isRegularFile();
        assertThat(f.root.resolve("sensor_readings/year=2024/month=01/day=25/data.parquet")).isRegularFile();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before + 1);
        assertThat(f.manifests("sensor_readings")).filteredOn(BatchManifest::isLate).singleElement()
                .satisfies(m -> {
                    assertThat(m.status()).isEqualTo(BatchStatus.DONE);
                    assertThat(m.rowCount()).isEqualTo(1);
                    assertThat(m.partition()).isEqualTo("year=2024/month=01/day=25");
                });
    }

    @ParameterizedTest(name = "killed after saving {0}")
    @ValueSource(strings = {"PENDING", "EXPORTING", "UPLOADED", "VERIFIED", "DELETING", "CHUNK_1", "OBJECT_COMMITTED",
            "CHUNK_1_BEFORE_SAVE"})
    void aProcessKilledAtAnyStateResumesToTheSameEndState(String point) {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        long before = f.count(ARCHIVED);
        UnaryOperator<ManifestStore> crashOnSave = store -> new ForwardingManifestStore(store) {
            boolean target(BatchManifest m) {
                return m.windowStart().equals(ArchiveFixture.at("2024-01-23T00:00:00Z"));
            }

            @Override
            protected void beforeSave(BatchManifest m) {
                if (target(m) && point.equals("CHUNK_1_BEFORE_SAVE") && m.chunksDeleted() == 1) {
                    // The first chunk's delete committed, then the process died before recording it.
                    throw new SimulatedCrash(point);
                }
            }

            @Override
            protected void afterSave(BatchManifest m) {
                if (target(m) && (m.status().name().equals(point) && m.chunksDeleted() == 0
                        || point.equals("CHUNK_1") && m.chunksDeleted() == 1)) {
                    throw new SimulatedCrash(point);
                }
            }
        };
        UnaryOperator<ObjectStorage> crashOnCommit = s -> new ForwardingStorage(s) {
            @Override
            protected void afterCommit(String key) {
                if (point.equals("OBJECT_COMMITTED") && key.contains("day=23")) {
                    throw new SimulatedCrash(point);
                }
            }
        };

        assertThatThrownBy(() -> f.run(ArchiveRunIT.options(), crashOnCommit, crashOnSave, x -> { }))
                .hasRootCauseInstanceOf(SimulatedCrash.class);
        RunReport resumed = f.runAll();

        assertThat(resumed.succeeded()).as(resumed.batches().toString()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(distinctArchivedRows(f)).isEqualTo(before);
        assertThat(f.manifests("sensor_readings")).hasSize(10)
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
    }

    @Test
    void aWindowPartlyDeletedBeforeACrashIsNeverReExportedWithoutItsDeletedRows() {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        long before = f.count(ARCHIVED);
        String day23 = "recorded_at >= '2024-01-23' AND recorded_at < '2024-01-24'";
        UnaryOperator<ManifestStore> crashAfterFirstChunkCommits = store -> new ForwardingManifestStore(store) {
            @Override
            protected void beforeSave(BatchManifest m) {
                if (m.windowStart().equals(ArchiveFixture.at("2024-01-23T00:00:00Z")) && m.chunksDeleted() == 1) {
                    throw new SimulatedCrash("after the first chunk's delete committed");
                }
            }
        };
        assertThatThrownBy(() -> f.run(ArchiveRunIT.options(), UnaryOperator.identity(), crashAfterFirstChunkCommits, x -> { }))
                .hasRootCauseInstanceOf(SimulatedCrash.class);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE " + day23)).isEqualTo(104);
        // While the process was down, a row arrived in a part of the window not yet deleted.
        f.sql("INSERT INTO sensor_readings VALUES ('2024-01-23 20:00:00.5+00', 5, 5.0, 'late arrival')");

        RunReport resumed = f.runAll();

        BatchOutcome failed = resumed.batches().stream().filter(b -> b.result() == BatchOutcome.Result.FAILED)
                .findFirst().orElseThrow();
        assertThat(failed.message()).contains("1 earlier chunk(s) were deleted and are in the verified archive");
        BatchManifest recorded = f.manifests("sensor_readings").stream()
                .filter(m -> m.status() == BatchStatus.FAILED).findFirst().orElseThrow();
        assertThat(recorded.chunksDeleted()).isEqualTo(1);

        // --force must resume the guarded delete, not re-export a window whose first chunk is gone.
        RunReport forcedWhileLateRowIsThere = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));
        assertThat(forcedWhileLateRowIsThere.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(archivedRows(f)).isEqualTo(before);

        // The operator moves the late row out of the window; the retry then completes.
        f.sql("UPDATE sensor_readings SET recorded_at = '2024-01-31 00:00:00+00' WHERE note = 'late arrival'");
        RunReport forced = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));

        assertThat(forced.succeeded()).as(forced.batches().toString()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(distinctArchivedRows(f)).isEqualTo(before);
    }

    @Test
    void twoRunsStartedAtOnceArchiveEachRowExactlyOnce() throws Exception {
        ArchiveFixture f = sensorReadings();
        long before = f.count(ARCHIVED);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<RunReport> run = f::runAll;
            Future<RunReport> a = pool.submit(run);
            Future<RunReport> b = pool.submit(run);
            RunReport ra = a.get();
            RunReport rb = b.get();
            assertThat(ra.succeeded()).isTrue();
            assertThat(rb.succeeded()).isTrue();
            assertThat(ra.count(BatchOutcome.Result.DONE) + rb.count(BatchOutcome.Result.DONE)).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(distinctArchivedRows(f)).isEqualTo(before);
    }

    @Test
    void aDryRunLeavesStorageAndDatabaseByteForByteUnchanged() throws Exception {
        ArchiveFixture f = sensorReadings();
        f.runAll();
        f.sql("INSERT INTO sensor_readings VALUES ('2024-01-25 08:00:00+00', 7, 2.0, 'after done')",
                "INSERT INTO sensor_readings SELECT t, 1, 1.0, 'older' FROM generate_series("
                        + "timestamptz '2024-01-10 00:00+00', timestamptz '2024-01-12 00:00+00', interval '1 hour') t");
        Map<String, String> storageBefore = digestTree(f.root);
        String tableBefore = tableDigest(f);

        RunReport dry = f.run(new RunOptions(Optional.empty(), true, false, Optional.empty(), Optional.empty()));

        assertThat(dry.count(BatchOutcome.Result.DRY_RUN)).isEqualTo(4);
        assertThat(dry.batches()).extracting(BatchOutcome::rows).containsExactly(24L, 24L, 1L, 1L);
        assertThat(digestTree(f.root)).isEqualTo(storageBefore);
        assertThat(tableDigest(f)).isEqualTo(tableBefore);
    }

    @Test
    void replayProcessesOnlyWindowsLyingInsideTheRange() {
        ArchiveFixture f = sensorReadings();
        RunReport replay = f.run(RunOptions.replay("sensor_readings", ArchiveFixture.at("2024-01-22T12:00:00Z"),
                ArchiveFixture.at("2024-01-25T00:00:00Z"), false, false));
        assertThat(replay.batches()).extracting(b -> b.window().start().toString())
                .containsExactly("2024-01-23T00:00:00Z", "2024-01-24T00:00:00Z");
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '2024-01-23' AND recorded_at < '2024-01-25'"))
                .isZero();
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '2024-01-22' AND recorded_at < '2024-01-23'"))
                .isEqualTo(144);
    }

    static String tableDigest(ArchiveFixture f) {
        return ArchiveRunIT.pgRows(f, "SELECT md5(string_agg(t::text, '|' ORDER BY recorded_at, note)) FROM sensor_readings t")
                .get(0).get(0);
    }

    static Map<String, String> digestTree(Path root) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                try {
                    digests.put(root.relativize(p).toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return digests;
    }

    static void flipByte(Path file, long offset) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0xff);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
