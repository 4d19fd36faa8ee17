package io.pgfreezer.engine;

import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingSourceTable;
import io.pgfreezer.testing.S3FaultProxy;
import io.pgfreezer.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static io.pgfreezer.engine.ArchiveRunIT.sensorReadings;
import static io.pgfreezer.engine.SafetyIT.ARCHIVED;
import static io.pgfreezer.engine.SafetyIT.archivedRows;
import static io.pgfreezer.engine.SafetyIT.distinctArchivedRows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults that pass: the database drops the tool's session, the storage throttles or fails for a
 * while. Each either completes within the run through retries, or ends with the transient
 * outcome and the next run finishes; never a row lost or archived twice.
 */
class TransientFaultsIT {
    private S3FaultProxy proxy;

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    static void terminateTheToolsSession(ArchiveFixture f) {
        // The session that holds the table's advisory lock is the tool's.
        f.sql("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted");
    }

    @Test
    void aSessionKilledDuringExportIsReplacedTheLockRetakenAndTheRunCompletes() {
        ArchiveFixture f = sensorReadings();
        long before = f.count(ARCHIVED);
        AtomicInteger kills = new AtomicInteger();
        UnaryOperator<SourceTable> killOnce = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeExport(Instant start, Instant end) {
                if (start.toString().startsWith("2024-01-24") && kills.getAndIncrement() == 0) {
                    terminateTheToolsSession(f);
                }
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(), killOnce,
                x -> { });

        assertThat(kills).hasValueGreaterThanOrEqualTo(2);
        assertThat(report.succeeded()).as(report.batches() + " " + report.tableErrors()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(distinctArchivedRows(f)).isEqualTo(before);
    }

    @Test
    void aSessionKilledDuringADeleteResumesTheGuardedDeleteWithoutLosingOrRepeatingAChunk() {
        ArchiveFixture f = sensorReadings().deleteChunkRows(40);
        long before = f.count(ARCHIVED);
        AtomicInteger deletes = new AtomicInteger();
        UnaryOperator<SourceTable> killDuringSecondChunk = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeDelete(DeleteChunk chunk) {
                if (chunk.from().toString().startsWith("2024-01-25") && deletes.incrementAndGet() == 2) {
                    terminateTheToolsSession(f);
                }
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(),
                killDuringSecondChunk, x -> { });

        assertThat(report.succeeded()).as(report.batches() + " " + report.tableErrors()).isTrue();
        assertThat(f.manifests("sensor_readings")).allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(distinctArchivedRows(f)).isEqualTo(before);
    }

    @Test
    void aLockHeldOnTheTableWhenTheDeleteStartsTimesOutIsRetriedAndTheDeleteFinishes() throws Exception {
        ArchiveFixture f = sensorReadings().statementTimeout(Duration.ofMillis(700));
        long before = f.count(ARCHIVED);
        java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger deletes = new AtomicInteger();
        Thread[] holder = new Thread[1];
        UnaryOperator<SourceTable> lockBeforeFirstDelete = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeDelete(DeleteChunk chunk) {
                if (deletes.getAndIncrement() == 0) {
                    // Another session holds a lock that blocks DELETE (not reads) for 2.5 s.
                    holder[0] = new Thread(() -> {
                        try (java.sql.Connection c = f.connect(); java.sql.Statement st = c.createStatement()) {
                            c.setAutoCommit(false);
                            st.execute("LOCK TABLE sensor_readings IN SHARE MODE");
                            locked.countDown();
                            Thread.sleep(2_500);
                            c.commit();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    holder[0].start();
                    try {
                        locked.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        f.retry(new GlobalConfig.Retry(8, Duration.ofMillis(100), Duration.ofMillis(500)));

        RunReport report = f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(),
                lockBeforeFirstDelete, x -> { });
        holder[0].join();

        assertThat(report.succeeded()).as(report.batches() + " " + report.tableErrors()).isTrue();
        assertThat(deletes).hasValueGreaterThan(10);
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(archivedRows(f)).isEqualTo(before);
        assertThat(distinctArchivedRows(f)).isEqualTo(before);
    }

    @Test
    void aPostgresRestartInTheMiddleOfARunIsRiddenOutAndNothingIsLostOrRepeated() throws Exception {
        java.nio.file.Path data = java.nio.file.Files.createTempDirectory("pg-freezer-restart-");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        int fixedPort = port;
        java.util.function.Supplier<io.zonky.test.db.postgres.embedded.EmbeddedPostgres> start = () -> {
            try {
                return io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().setPort(fixedPort)
                        .setDataDirectory(data).setCleanDataDirectory(false).start();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres[] server = {start.get()};
        try {
            ArchiveFixture f = ArchiveFixture.local("postgresql://postgres@localhost:" + fixedPort + "/postgres")
                    .clock(ArchiveRunIT.CLOCK)
                    .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2))
                    .retry(new GlobalConfig.Retry(6, Duration.ofMillis(200), Duration.ofSeconds(2)));
            f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                    "INSERT INTO sensor_readings SELECT t, 1, 0.5, 'n' || n FROM generate_series("
                            + "timestamptz '2024-01-20 00:00+00', timestamptz '2024-02-01 11:50+00', interval '10 minutes') "
                            + "WITH ORDINALITY AS g(t, n)");
            long before = f.count(ARCHIVED);
            AtomicInteger restarts = new AtomicInteger();
            UnaryOperator<SourceTable> restartDuringExport = t -> new ForwardingSourceTable(t) {
                @Override
                protected void beforeExport(Instant start2, Instant end) {
                    if (start2.toString().startsWith("2024-01-25") && restarts.getAndIncrement() == 0) {
                        try {
                            server[0].close();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        server[0] = start.get();
                    }
                }
            };

            RunReport report = f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(),
                    restartDuringExport, x -> { });

            assertThat(restarts).hasValueGreaterThanOrEqualTo(2);
            assertThat(report.succeeded()).as(report.batches() + " " + report.tableErrors()).isTrue();
            assertThat(f.count(ARCHIVED)).isZero();
            assertThat(archivedRows(f)).isEqualTo(before);
            assertThat(distinctArchivedRows(f)).isEqualTo(before);
        } finally {
            server[0].close();
        }
    }

    static ArchiveFixture onS3ThroughProxy(TransientFaultsIT test) {
        ArchiveFixture f = ArchiveFixture.s3("archive-" + UUID.randomUUID().toString().substring(0, 8))
                .clock(ArchiveRunIT.CLOCK)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        test.proxy = S3FaultProxy.inFrontOf(URI.create(S3ProxyServer.shared().endpoint()));
        f.endpoint(test.proxy.endpoint());
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                "INSERT INTO sensor_readings SELECT t, 1, 0.5, 'n' || n FROM generate_series("
                        + "timestamptz '2024-01-27 00:00+00', timestamptz '2024-02-01 11:00+00', interval '30 minutes') "
                        + "WITH ORDINALITY AS g(t, n)");
        return f;
    }

    static boolean manifestPut(S3FaultProxy.Request r) {
        return r.method().equals("PUT") && r.path().contains("/_manifests/");
    }

    @Test
    void aBurstOfSlowDownLongerThanTheClientsOwnRetriesIsRiddenOutWithinTheRun() {
        ArchiveFixture f = onS3ThroughProxy(this);
        long before = f.count(ARCHIVED);
        // More consecutive 503s than the SDK retries on its own: only the engine's retry gets past them.
        proxy.fail(TransientFaultsIT::manifestPut, new S3FaultProxy.Respond(503, "SlowDown"), 6);

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches() + " " + report.tableErrors()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(f.manifests("sensor_readings")).hasSize(3)
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
        assertThat(proxy.seen().stream().filter(TransientFaultsIT::manifestPut).count()).isGreaterThan(6);
        assertThat(before).isPositive();
    }

    @Test
    void aDownloadCutShortDuringVerificationIsReadAgainNotTakenForACorruptObject() {
        ArchiveFixture f = onS3ThroughProxy(this);
        long before = f.count(ARCHIVED);
        proxy.fail(r -> r.method().equals("GET") && r.path().endsWith("day=28/data.parquet"),
                new S3FaultProxy.Truncate(100), 4);

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches() + " " + report.tableErrors()).isTrue();
        assertThat(report.count(BatchOutcome.Result.FAILED)).isZero();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(f.manifests("sensor_readings")).hasSize(3)
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
        assertThat(before).isPositive();
    }

    @Test
    void storageDownForLongerThanTheRetriesEndsTransientAndTheNextRunFinishes() {
        ArchiveFixture f = onS3ThroughProxy(this).retry(new GlobalConfig.Retry(3, Duration.ofMillis(10),
                Duration.ofMillis(50)));
        long before = f.count(ARCHIVED);
        proxy.fail(r -> r.method().equals("PUT") && r.path().endsWith("data.parquet"), new S3FaultProxy.Reset(), 1_000);

        RunReport down = f.runAll();

        assertThat(down.succeeded()).isFalse();
        assertThat(down.onlyTransientFailures()).as(down.batches() + " " + down.tableErrors()).isTrue();
        assertThat(down.count(BatchOutcome.Result.TRANSIENT)).isEqualTo(1);
        assertThat(f.count(ARCHIVED)).as("nothing was deleted").isEqualTo(before);

        proxy.close();
        proxy = null;
        f.endpoint(URI.create(S3ProxyServer.shared().endpoint()));
        RunReport healed = f.runAll();

        assertThat(healed.succeeded()).as(healed.batches().toString()).isTrue();
        assertThat(f.count(ARCHIVED)).isZero();
        assertThat(f.manifests("sensor_readings")).hasSize(3)
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
    }

    @Test
    void aPermanentStorageErrorIsNotRetriedAndIsNotReportedAsTransient() {
        ArchiveFixture f = onS3ThroughProxy(this);
        long before = f.count(ARCHIVED);
        proxy.fail(r -> r.method().equals("PUT"), new S3FaultProxy.Respond(403, "AccessDenied"), 1_000);

        RunReport denied = f.runAll();

        assertThat(denied.succeeded()).isFalse();
        assertThat(denied.onlyTransientFailures()).isFalse();
        assertThat(denied.count(BatchOutcome.Result.ERROR)).isEqualTo(1);
        // One refused manifest write, not one per attempt.
        assertThat(proxy.seen().stream().filter(r -> r.method().equals("PUT")).count()).isEqualTo(1);
        assertThat(f.count(ARCHIVED)).isEqualTo(before);
    }
}
