package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Retention;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.PartitionPrune;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import io.pgfreezer.testing.ForwardingManifestStore;
import io.pgfreezer.testing.ForwardingSourceTable;
import io.pgfreezer.testing.SimulatedCrash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code retention: detach | drop} on partitioned tables, against a real PostgreSQL: what leaves
 * the table whole, what falls back to the row delete, and that no row that is not in the
 * verified archive ever leaves with a partition, whatever happens between the steps.
 */
class PartitionRetentionIT {
    static final Instant NOW = Instant.parse("2024-02-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String ROWS = "SELECT (extract(epoch FROM recorded_at) * 1000000)::bigint, sensor_id, value::text, note "
            + "FROM metrics WHERE recorded_at < '2024-01-30' ORDER BY recorded_at, note";

    static TableConfig metrics(Granularity windows, Duration lag, Retention retention, Optional<String> schema) {
        return new TableConfig("metrics", "public", "recorded_at", windows, lag, Optional.empty(), retention, schema);
    }

    /** {@code metrics} partitioned by day of January from {@code firstDay} on, a row every ten minutes up to 1 February. */
    static ArchiveFixture dailyPartitions(TableConfig table, boolean withDefault, int firstDay, int lastDay) {
        return dailyPartitions(ArchiveFixture.local(), table, withDefault, firstDay, lastDay);
    }

    static ArchiveFixture dailyPartitions(ArchiveFixture fixture, TableConfig table, boolean withDefault, int firstDay,
                                          int lastDay) {
        ArchiveFixture f = fixture.clock(CLOCK).table(table);
        f.sql("CREATE TABLE metrics (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text) "
                + "PARTITION BY RANGE (recorded_at)");
        LocalDate end = LocalDate.of(2024, 1, lastDay).plusDays(lastDay < 20 ? 31 : 0);
        for (LocalDate d = LocalDate.of(2024, 1, firstDay); !d.isAfter(end); d = d.plusDays(1)) {
            f.sql("CREATE TABLE " + partition(d) + " PARTITION OF metrics FOR VALUES FROM ('" + d + " 00:00+00') TO ('"
                    + d.plusDays(1) + " 00:00+00')");
        }
        if (withDefault) {
            f.sql("CREATE TABLE metrics_default PARTITION OF metrics DEFAULT");
        }
        f.sql("CREATE INDEX ON metrics (recorded_at)",
                "INSERT INTO metrics SELECT t, (extract(minute FROM t)::int / 10), random() * 100, 'reading ' || n "
                        + "FROM generate_series(timestamptz '2024-01-" + firstDay + " 00:00+00', timestamptz '2024-02-01 11:50+00', "
                        + "interval '10 minutes') WITH ORDINALITY AS g(t, n)");
        return f;
    }

    static String partition(LocalDate d) {
        return "metrics_" + d.toString().replace("-", "");
    }

    static boolean exists(ArchiveFixture f, String qualified) {
        return f.count("SELECT count(*) FROM pg_class WHERE oid = to_regclass('" + qualified + "')") == 1;
    }

    static long partitionsOf(ArchiveFixture f) {
        return f.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'metrics'::regclass");
    }

    static List<List<String>> archived(ArchiveFixture f) {
        return DuckDb.rows("SELECT epoch_us(recorded_at), sensor_id, value::VARCHAR, note FROM "
                + DuckDb.table(f.root, "metrics") + " ORDER BY recorded_at, note");
    }

    static void assertSameRows(List<List<String>> archived, List<List<String>> inPostgres) {
        assertThat(archived).hasSameSizeAs(inPostgres);
        for (int i = 0; i < archived.size(); i++) {
            assertThat(archived.get(i).get(0)).isEqualTo(inPostgres.get(i).get(0));
            assertThat(archived.get(i).get(1)).isEqualTo(inPostgres.get(i).get(1));
            assertThat(Double.parseDouble(archived.get(i).get(2))).isEqualTo(Double.parseDouble(inPostgres.get(i).get(2)));
            assertThat(archived.get(i).get(3)).isEqualTo(inPostgres.get(i).get(3));
        }
    }

    @Test
    void dailyPartitionsOfArchivedDaysAreDetachedAndDroppedAndDuckDbReadsExactlyTheirRows() {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                false, 20, 1);
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);
        long recent = f.count("SELECT count(*) FROM metrics WHERE recorded_at >= '2024-01-30'");

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(report.count(BatchOutcome.Result.DONE)).isEqualTo(10);
        for (int day = 20; day <= 29; day++) {
            assertThat(exists(f, "public.metrics_202401" + day)).as("day " + day).isFalse();
        }
        assertThat(partitionsOf(f)).as("30, 31 January and 1 February stay").isEqualTo(3);
        assertThat(f.count("SELECT count(*) FROM metrics")).isEqualTo(recent);
        assertThat(f.manifests("metrics")).hasSize(10).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(BatchStatus.DONE);
            assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_DROPPED);
            assertThat(m.prune().partition()).startsWith("\"public\".\"metrics_202401");
        });
        assertSameRows(archived(f), before);
    }

    @Test
    void onS3TheDroppedPartitionsRowsAreAllInTheBucket() throws Exception {
        ArchiveFixture f = dailyPartitions(ArchiveFixture.s3("partitions-" + java.util.UUID.randomUUID().toString()
                .substring(0, 8)), metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()), false, 26, 1);
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(report.count(BatchOutcome.Result.DONE)).isEqualTo(4);
        assertThat(partitionsOf(f)).isEqualTo(3);
        java.nio.file.Path copy = java.nio.file.Files.createTempDirectory("pg-freezer-s3-copy-");
        try (ObjectStorage storage = f.openStorage()) {
            for (io.pgfreezer.storage.ObjectInfo o : storage.list("metrics/")) {
                java.nio.file.Path target = copy.resolve(o.key());
                java.nio.file.Files.createDirectories(target.getParent());
                try (java.io.InputStream in = storage.open(o.key())) {
                    java.nio.file.Files.copy(in, target);
                }
            }
        }
        assertSameRows(DuckDb.rows("SELECT epoch_us(recorded_at), sensor_id, value::VARCHAR, note FROM "
                + DuckDb.table(copy, "metrics") + " ORDER BY recorded_at, note"), before);
    }

    @Test
    void detachKeepsTheDetachedPartitionInTheRetentionSchema() {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DETACH,
                Optional.of("frozen")), false, 20, 1);
        f.sql("CREATE SCHEMA frozen");
        long day22 = f.count("SELECT count(*) FROM metrics_20240122");

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(exists(f, "public.metrics_20240122")).isFalse();
        assertThat(f.count("SELECT count(*) FROM frozen.metrics_20240122")).isEqualTo(day22);
        assertThat(partitionsOf(f)).isEqualTo(3);
        assertThat(f.count("SELECT count(*) FROM metrics WHERE recorded_at < '2024-01-30'")).isZero();
        assertThat(f.manifests("metrics")).allSatisfy(m -> assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_DETACHED));
    }

    @Test
    void hourlyWindowsOverDailyPartitionsDropADayOnlyOnceAll24WindowsAreDone() {
        TableConfig table = metrics(Granularity.HOURLY, Duration.ofDays(1), Retention.DROP, Optional.empty());
        ArchiveFixture f = dailyPartitions(table, false, 28, 1).clock(Clock.fixed(Instant.parse("2024-01-30T12:00:00Z"),
                ZoneOffset.UTC));

        RunReport first = f.runAll();

        // Cut-off 2024-01-29T12:00: the 28th goes whole, twelve hours of the 29th wait for the rest.
        assertThat(first.succeeded()).as(first.batches().toString()).isTrue();
        // The 28th's first 23 windows are reported waiting; its last one takes all 24 out with the partition.
        assertThat(first.count(BatchOutcome.Result.DONE)).isEqualTo(1);
        assertThat(first.count(BatchOutcome.Result.PRUNE_PENDING)).isEqualTo(23 + 12);
        assertThat(f.manifests("metrics")).filteredOn(m -> m.status() == BatchStatus.DONE).hasSize(24);
        assertThat(exists(f, "public.metrics_20240128")).isFalse();
        assertThat(exists(f, "public.metrics_20240129")).isTrue();
        assertThat(f.count("SELECT count(*) FROM metrics_20240129")).as("nothing of the 29th deleted yet").isEqualTo(144);
        assertThat(f.manifests("metrics")).filteredOn(m -> m.status() == BatchStatus.DELETING).hasSize(12)
                .allSatisfy(m -> assertThat(m.prune().step()).isEqualTo(PartitionPrune.Step.AWAITING));

        f.clock(Clock.fixed(Instant.parse("2024-01-31T00:30:00Z"), ZoneOffset.UTC));
        RunReport second = f.runAll();

        assertThat(second.succeeded()).as(second.batches().toString()).isTrue();
        assertThat(exists(f, "public.metrics_20240129")).isFalse();
        assertThat(f.manifests("metrics")).hasSize(48)
                .allSatisfy(m -> assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_DROPPED));
        assertThat(Long.parseLong(DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(f.root, "metrics")).get(0).get(0)))
                .isEqualTo(288);
    }

    @Test
    void dailyWindowsInMonthlyPartitionsFallBackToRowDeletes() {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()));
        f.sql("CREATE TABLE metrics (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text) "
                        + "PARTITION BY RANGE (recorded_at)",
                "CREATE TABLE metrics_202401 PARTITION OF metrics FOR VALUES FROM ('2024-01-01 00:00+00') TO ('2024-02-01 00:00+00')",
                "CREATE TABLE metrics_202402 PARTITION OF metrics FOR VALUES FROM ('2024-02-01 00:00+00') TO ('2024-03-01 00:00+00')",
                "INSERT INTO metrics SELECT t, 1, 1.0, 'r' FROM generate_series(timestamptz '2024-01-27 00:00+00', "
                        + "timestamptz '2024-02-01 11:00+00', interval '1 hour') t");

        RunReport dry = f.run(RunOptions.run(Optional.empty(), true, false));
        RunReport report = f.runAll();

        assertThat(dry.batches()).isNotEmpty().allSatisfy(b -> assertThat(b.message())
                .contains("rows deleted in guarded chunks (partition \"public\".\"metrics_202401\" spans more than one window)"));
        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(report.count(BatchOutcome.Result.DONE)).isEqualTo(3);
        assertThat(partitionsOf(f)).isEqualTo(2);
        assertThat(f.count("SELECT count(*) FROM metrics WHERE recorded_at < '2024-01-30'")).isZero();
        assertThat(f.count("SELECT count(*) FROM metrics_202401")).isEqualTo(2 * 24);
        assertThat(f.manifests("metrics")).allSatisfy(m -> assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_ROWS));
    }

    @Test
    void theDefaultPartitionIsDeletedRowByRowAndLateRowsAfterADropAreArchivedAsLateFiles() {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                true, 20, 25);
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);

        RunReport dry = f.run(RunOptions.run(Optional.empty(), true, false));
        RunReport first = f.runAll();

        assertThat(dry.batches()).filteredOn(b -> b.window().start().equals(Instant.parse("2024-01-22T00:00:00Z")))
                .singleElement().satisfies(b -> assertThat(b.message()).contains("partition \"public\".\"metrics_20240122\" "
                        + "detached and dropped once every window of [2024-01-22T00:00:00+00:00, 2024-01-23T00:00:00+00:00)"));
        assertThat(dry.batches()).filteredOn(b -> b.window().start().equals(Instant.parse("2024-01-27T00:00:00Z")))
                .singleElement().satisfies(b -> assertThat(b.message())
                        .contains("rows deleted in guarded chunks (the window's rows are in the DEFAULT partition)"));
        assertThat(first.succeeded()).as(first.batches().toString()).isTrue();
        assertThat(partitionsOf(f)).as("only the DEFAULT partition is left").isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM metrics_default WHERE recorded_at < '2024-01-30'")).isZero();
        assertThat(f.manifests("metrics")).hasSize(10).allSatisfy(m -> assertThat(m.prunedBy())
                .isEqualTo(m.windowStart().isBefore(Instant.parse("2024-01-26T00:00:00Z"))
                        ? BatchManifest.PRUNED_DROPPED : BatchManifest.PRUNED_ROWS));

        // Its partition is gone, so a row for the 22nd now lands in the DEFAULT partition.
        f.sql("INSERT INTO metrics VALUES ('2024-01-22 10:05+00', 7, 1.5, 'late arrival')");
        RunReport second = f.runAll();

        assertThat(second.succeeded()).as(second.batches().toString()).isTrue();
        assertThat(f.manifests("metrics")).filteredOn(BatchManifest::isLate).singleElement().satisfies(m -> {
            assertThat(m.rowCount()).isEqualTo(1);
            assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_ROWS);
        });
        assertThat(f.count("SELECT count(*) FROM metrics WHERE recorded_at < '2024-01-30'")).isZero();
        List<List<String>> archived = archived(f);
        assertThat(archived).hasSize(before.size() + 1);
        assertThat(archived).filteredOn(r -> r.get(3).equals("late arrival")).hasSize(1);
    }

    /** Guard: a row written into the partition after the windows were counted must stop its drop. */
    @Test
    void aRowInsertedIntoThePartitionJustBeforeItsDetachStopsTheDropAndTheRowStays() {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                false, 20, 1);
        UnaryOperator<SourceTable> insertBeforeDetach = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeDetach(String partition) {
                if (partition.contains("metrics_20240123")) {
                    f.sql("INSERT INTO metrics VALUES ('2024-01-23 05:01+00', 9, 1.0, 'slipped in')");
                }
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(),
                insertBeforeDetach, x -> { });

        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM metrics_20240123 WHERE note = 'slipped in'"))
                .as("the row that was never archived is still in PostgreSQL").isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'metrics_20240123'::regclass"))
                .as("the partition is attached again").isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM metrics_20240123")).isEqualTo(145);
        assertThat(f.manifests("metrics")).filteredOn(m -> m.status() == BatchStatus.FAILED).singleElement()
                .satisfies(m -> assertThat(m.error()).contains("Partition guard").contains("attached back"));
    }

    /** Guard: the proof reads the partition's values, so a changed value stops the drop even at an equal count. */
    @Test
    void aValueChangedInTheDetachedPartitionBeforeItsProofStopsTheDrop() {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                false, 20, 1);
        UnaryOperator<SourceTable> changeBeforeProof = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeProof(String partition) {
                if (partition.contains("metrics_20240124")) {
                    f.sql("UPDATE metrics_20240124 SET note = 'changed' WHERE recorded_at = '2024-01-24 12:00+00'");
                }
            }
        };

        RunReport report = f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(),
                changeBeforeProof, x -> { });

        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM metrics WHERE note = 'changed'")).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM metrics_20240124")).isEqualTo(144);
        assertThat(f.manifests("metrics")).filteredOn(m -> m.status() == BatchStatus.FAILED).singleElement()
                .satisfies(m -> assertThat(m.error()).contains("differ from"));
    }

    @ParameterizedTest(name = "killed {0}")
    @ValueSource(strings = {"AWAITING_SAVED", "DETACHING_SAVED", "AFTER_DETACH", "AFTER_DROP"})
    void aProcessKilledBetweenTheStepsResumesAndLosesNothing(String point) {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                false, 20, 1);
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);
        Instant target = Instant.parse("2024-01-23T00:00:00Z");
        UnaryOperator<ManifestStore> crashOnSave = store -> new ForwardingManifestStore(store) {
            @Override
            protected void beforeSave(BatchManifest m) {
                if (point.equals("AFTER_DROP") && m.windowStart().equals(target) && m.status() == BatchStatus.DONE) {
                    throw new SimulatedCrash(point);
                }
            }

            @Override
            protected void afterSave(BatchManifest m) {
                if (m.windowStart().equals(target) && m.prune() != null && m.status() == BatchStatus.DELETING
                        && m.prune().step().name().equals(point.replace("_SAVED", ""))) {
                    throw new SimulatedCrash(point);
                }
            }
        };
        UnaryOperator<SourceTable> crashAfterDetach = t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeProof(String partition) {
                if (point.equals("AFTER_DETACH") && partition.contains("metrics_20240123")) {
                    throw new SimulatedCrash(point);
                }
            }
        };

        assertThatThrownBy(() -> f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), crashOnSave,
                crashAfterDetach, x -> { })).hasRootCauseInstanceOf(SimulatedCrash.class);
        if (point.equals("AFTER_DETACH")) {
            assertThat(f.count("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'metrics_20240123'::regclass"))
                    .as("detached, not dropped").isZero();
            assertThat(f.count("SELECT count(*) FROM metrics_20240123")).isEqualTo(144);
        }
        RunReport resumed = f.runAll();

        assertThat(resumed.succeeded()).as(resumed.batches().toString()).isTrue();
        assertThat(f.manifests("metrics")).hasSize(10).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(BatchStatus.DONE);
            assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_DROPPED);
        });
        assertThat(exists(f, "public.metrics_20240123")).isFalse();
        assertThat(partitionsOf(f)).isEqualTo(3);
        assertSameRows(archived(f), before);
    }

    /**
     * A real detach left pending: a reader's open snapshot holds the concurrent detach in its
     * second step, and the detach is cancelled there. The next run finishes it with FINALIZE.
     */
    @Test
    void aDetachCancelledBetweenItsTwoStepsIsFinalizedByTheNextRun() throws Exception {
        ArchiveFixture f = dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                false, 20, 1).retry(new GlobalConfig.Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)));
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);
        try (Connection reader = f.connect(); Statement st = reader.createStatement()) {
            reader.setAutoCommit(false);
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            st.executeQuery("SELECT count(*) FROM metrics").close();
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    if (f.count("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%DETACH PARTITION%CONCURRENTLY' "
                            + "AND wait_event_type = 'Lock'") > 0) {
                        f.count("SELECT count(*) FROM (SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                                + "WHERE query LIKE '%DETACH PARTITION%CONCURRENTLY' AND pid <> pg_backend_pid()) c");
                        return;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });

            RunReport first = f.runAll();
            canceller.get(60, TimeUnit.SECONDS);

            assertThat(first.succeeded()).isFalse();
            assertThat(f.count("SELECT count(*) FROM pg_inherits WHERE inhdetachpending")).isEqualTo(1);
            reader.rollback();
        }
        String pending = f.manifests("metrics").stream().filter(m -> m.prune() != null
                && m.prune().step() == PartitionPrune.Step.DETACHING).findFirst().orElseThrow().prune().partition();

        RunReport resumed = f.runAll();

        assertThat(resumed.succeeded()).as(resumed.batches().toString()).isTrue();
        assertThat(exists(f, pending)).isFalse();
        assertThat(f.count("SELECT count(*) FROM pg_inherits WHERE inhdetachpending")).isZero();
        assertThat(partitionsOf(f)).isEqualTo(3);
        assertThat(f.manifests("metrics")).hasSize(10).allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
        assertSameRows(archived(f), before);
    }

    @Test
    void dropOnATableThatIsNotPartitionedDeletesRows() {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()));
        f.sql("CREATE TABLE metrics (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                "INSERT INTO metrics SELECT t, 1, 1.0, 'r' FROM generate_series(timestamptz '2024-01-28 00:00+00', "
                        + "timestamptz '2024-02-01 11:00+00', interval '1 hour') t");

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(f.count("SELECT count(*) FROM metrics WHERE recorded_at < '2024-01-30'")).isZero();
        assertThat(f.manifests("metrics")).hasSize(2).allSatisfy(m -> assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_ROWS));
    }
}
