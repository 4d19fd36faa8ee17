package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.Retention;
import io.pgfreezer.format.ArchivedRows;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.source.BatchSink;
import io.pgfreezer.source.ExportResult;
import io.pgfreezer.source.PartitionProof;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingSourceTable;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import static io.pgfreezer.engine.PartitionRetentionIT.ROWS;
import static io.pgfreezer.engine.PartitionRetentionIT.archived;
import static io.pgfreezer.engine.PartitionRetentionIT.assertSameRows;
import static io.pgfreezer.engine.PartitionRetentionIT.dailyPartitions;
import static io.pgfreezer.engine.PartitionRetentionIT.exists;
import static io.pgfreezer.engine.PartitionRetentionIT.metrics;
import static io.pgfreezer.engine.PartitionRetentionIT.partitionsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cheap proof in front of the full one, against a real PostgreSQL: a partition untouched
 * since its windows' exports is proven by one scan of counts and row versions; any write after
 * an export, however it keeps the count, sends the proof to re-read every window's values, and
 * no row that is not in the archive leaves with the partition.
 */
class PartitionFastProofIT {
    static final String TARGET = "metrics_20240127";

    /** Days 26 to 29 of January archived with {@code retention: drop}; 144 rows a day. */
    static ArchiveFixture fourDays() {
        return dailyPartitions(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()),
                false, 26, 1);
    }

    /** The session, with each proof's outcome recorded by partition and {@code beforeProof} run on the target. */
    static UnaryOperator<SourceTable> recording(Map<String, PartitionProof.Outcome> outcomes, Runnable beforeTargetProof) {
        return t -> new ForwardingSourceTable(t) {
            @Override
            protected void beforeProof(String partition) {
                if (partition.contains(TARGET)) {
                    beforeTargetProof.run();
                }
            }

            @Override
            protected void afterProof(String partition, PartitionProof proof, PartitionProof.Outcome outcome) {
                outcomes.put(partition.replaceAll(".*\\.\"(.*)\"", "$1"), outcome);
            }
        };
    }

    static RunReport run(ArchiveFixture f, UnaryOperator<SourceTable> tables) {
        return f.runWithTables(ArchiveRunIT.options(), UnaryOperator.identity(), UnaryOperator.identity(), tables, x -> { });
    }

    @Test
    void anUntouchedPartitionIsProvenByOneScanWithoutReadingItsValuesAgain() {
        ArchiveFixture f = fourDays();
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();

        RunReport report = run(f, recording(outcomes, () -> { }));

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(outcomes).hasSize(4).allSatisfy((partition, o) -> {
            assertThat(o.matches()).isTrue();
            assertThat(o.method()).as(partition).isEqualTo(PartitionProof.Method.UNCHANGED_SINCE_EXPORT);
        });
        assertThat(f.manifests("metrics")).hasSize(4).allSatisfy(m -> {
            assertThat(m.snapshotXmin()).as("recorded at export").isNotNull().isPositive();
            assertThat(m.prunedBy()).isEqualTo(BatchManifest.PRUNED_DROPPED);
        });
        assertThat(partitionsOf(f)).isEqualTo(3);
        assertSameRows(archived(f), before);
    }

    /** Guard: a row written after the export, however it got in, keeps the partition and itself. */
    @Test
    void aRowInsertedAfterTheExportStopsTheDropAndTheRowStays() {
        ArchiveFixture f = fourDays();
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();

        RunReport report = run(f, recording(outcomes,
                () -> f.sql("INSERT INTO " + TARGET + " VALUES ('2024-01-27 05:01+00', 9, 1.0, 'slipped in')")));

        assertRefusedAndKept(f, report, outcomes, 145);
        assertThat(outcomes.get(TARGET).difference()).contains("holds 145 row(s), the archive has 144");
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE note = 'slipped in'")).isEqualTo(1);
    }

    /** Guard: the same count, but a row version newer than the export: the values are read again and differ. */
    @Test
    void anUpdateOfAnArchivedRowAfterTheExportIsCaughtByReadingTheValuesAgain() {
        ArchiveFixture f = fourDays();
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();

        RunReport report = run(f, recording(outcomes,
                () -> f.sql("UPDATE " + TARGET + " SET value = -1 WHERE recorded_at = '2024-01-27 12:00+00'")));

        assertRefusedAndKept(f, report, outcomes, 144);
        assertThat(outcomes.get(TARGET).difference()).contains("whose values differ from the 144 archived");
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE value = -1")).isEqualTo(1);
    }

    /** An update that changes no value still writes a new version: the full proof runs, finds the archive, and drops. */
    @Test
    void anUpdateThatChangesNoValueCostsTheFullProofAndTheDropGoesAhead() {
        ArchiveFixture f = fourDays();
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();

        RunReport report = run(f, recording(outcomes,
                () -> f.sql("UPDATE " + TARGET + " SET value = value WHERE recorded_at = '2024-01-27 12:00+00'")));

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(outcomes.get(TARGET).method()).isEqualTo(PartitionProof.Method.VALUES_READ_AGAIN);
        assertThat(outcomes).hasSize(4).allSatisfy((p, o) -> assertThat(o.method()).as(p).isEqualTo(p.equals(TARGET)
                ? PartitionProof.Method.VALUES_READ_AGAIN : PartitionProof.Method.UNCHANGED_SINCE_EXPORT));
        assertThat(exists(f, "public." + TARGET)).isFalse();
        assertSameRows(archived(f), before);
    }

    /** Guard: one archived row gone and one new row in its place keeps the count; the new row's version gives it away. */
    @Test
    void aDeleteAndAnInsertThatKeepTheCountStopTheDrop() {
        ArchiveFixture f = fourDays();
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();

        RunReport report = run(f, recording(outcomes, () -> f.sql(
                "DELETE FROM " + TARGET + " WHERE recorded_at = '2024-01-27 12:00+00'",
                "INSERT INTO " + TARGET + " VALUES ('2024-01-27 12:00+00', 9, 2.0, 'replacement')")));

        assertRefusedAndKept(f, report, outcomes, 144);
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE note = 'replacement'")).isEqualTo(1);
    }

    /**
     * Guard: frozen by VACUUM FREEZE, the new row keeps its own transaction id in {@code xmin}, so
     * freezing cannot make it look as old as the archived rows.
     */
    @Test
    void aNewRowFrozenByVacuumStillStopsTheDrop() {
        ArchiveFixture f = fourDays();
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();
        long[] frozenXmin = new long[1];

        RunReport report = run(f, recording(outcomes, () -> {
            f.sql("DELETE FROM " + TARGET + " WHERE recorded_at = '2024-01-27 12:00+00'",
                    "INSERT INTO " + TARGET + " VALUES ('2024-01-27 12:00+00', 9, 2.0, 'replacement')",
                    "VACUUM (FREEZE) " + TARGET);
            frozenXmin[0] = f.count("SELECT xmin::text::bigint FROM " + TARGET + " WHERE note = 'replacement'");
        }));

        assertRefusedAndKept(f, report, outcomes, 144);
        assertThat(frozenXmin[0]).as("the frozen row's xmin is its own, not FrozenTransactionId").isGreaterThan(2);
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE note = 'replacement'")).isEqualTo(1);
    }

    /**
     * Guard: a transaction that took its id before the export's snapshot, and so was in progress
     * when it was taken, inserts a row in a savepoint and deletes an archived one after the
     * export, committing just before the proof. The row's xmin is the subtransaction's id, which
     * is larger than its parent's and so not older than the snapshot's xmin.
     */
    @Test
    void anInsertInASavepointOfATransactionOlderThanTheExportSnapshotStopsTheDrop() throws Exception {
        ArchiveFixture f = fourDays();
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();
        Instant targetDay = Instant.parse("2024-01-27T00:00:00Z");
        long[] xids = new long[2];
        try (Connection older = f.connect(); Statement st = older.createStatement()) {
            older.setAutoCommit(false);
            UnaryOperator<SourceTable> tables = t -> new ForwardingSourceTable(recording(outcomes, () -> {
                try {
                    st.execute("SAVEPOINT late_write");
                    st.execute("INSERT INTO " + TARGET + " VALUES ('2024-01-27 05:01+00', 9, 1.0, 'from a savepoint')");
                    st.execute("RELEASE SAVEPOINT late_write");
                    st.execute("DELETE FROM " + TARGET + " WHERE recorded_at = '2024-01-27 12:00+00'");
                    older.commit();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).apply(t)) {
                @Override
                protected void beforeExport(Instant start, Instant end) {
                    if (start.equals(targetDay)) {
                        xids[0] = single(st, "SELECT pg_current_xact_id()::text::bigint");
                    }
                }
            };

            RunReport report = run(f, tables);

            assertRefusedAndKept(f, report, outcomes, 144);
            xids[1] = f.manifests("metrics").stream().filter(m -> m.windowStart().equals(targetDay)).findFirst()
                    .orElseThrow().snapshotXmin();
        }
        assertThat(xids[0]).as("the transaction was in progress at the export snapshot").isGreaterThanOrEqualTo(xids[1]);
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE note = 'from a savepoint'")).isEqualTo(1);
    }

    /** A manifest written before the snapshot xmin was recorded gets the full proof, which then drops. */
    @Test
    void windowsWhoseManifestsRecordNoSnapshotGetTheFullProof() {
        ArchiveFixture f = fourDays();
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS);
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();
        UnaryOperator<SourceTable> tables = t -> new ForwardingSourceTable(recording(outcomes, () -> { }).apply(t)) {
            @Override
            public ExportResult export(Instant start, Instant end, int chunkRows, ArchivedRows alreadyArchived,
                                       BatchSink sink) {
                ExportResult r = super.export(start, end, chunkRows, alreadyArchived, sink);
                return new ExportResult(r.rows(), r.alreadyArchived(), r.chunks(), r.valueDigest(), null);
            }
        };

        RunReport report = run(f, tables);

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(f.manifests("metrics")).hasSize(4).allSatisfy(m -> assertThat(m.snapshotXmin()).isNull());
        assertThat(outcomes).hasSize(4).allSatisfy((p, o) -> {
            assertThat(o.matches()).isTrue();
            assertThat(o.method()).isEqualTo(PartitionProof.Method.VALUES_READ_AGAIN);
        });
        assertThat(partitionsOf(f)).isEqualTo(3);
        assertSameRows(archived(f), before);
    }

    /**
     * Guard: with hourly windows the hours without rows get no batch, so no export saw them. A
     * row committed into such an hour after the windows were planned, but before their exports,
     * is older than every export snapshot; with an archived row deleted the count still matches,
     * and only the exported ranges tell that row apart.
     */
    @Test
    void anOldRowInAnHourNoExportReadStopsTheDrop() {
        ArchiveFixture f = ArchiveFixture.local()
                .clock(java.time.Clock.fixed(Instant.parse("2024-01-29T00:30:00Z"), java.time.ZoneOffset.UTC))
                .table(metrics(Granularity.HOURLY, Duration.ofDays(1), Retention.DROP, Optional.empty()));
        f.sql("CREATE TABLE metrics (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text) "
                        + "PARTITION BY RANGE (recorded_at)",
                "CREATE TABLE " + TARGET + " PARTITION OF metrics FOR VALUES FROM ('2024-01-27 00:00+00') TO ('2024-01-28 00:00+00')",
                "CREATE TABLE metrics_20240128 PARTITION OF metrics FOR VALUES FROM ('2024-01-28 00:00+00') TO ('2024-01-29 00:00+00')",
                // Even hours only: the odd ones are planned no batch.
                "INSERT INTO metrics SELECT t, 1, random(), 'r' FROM generate_series(timestamptz '2024-01-27 00:00+00', "
                        + "timestamptz '2024-01-27 23:50+00', interval '10 minutes') t WHERE extract(hour FROM t)::int % 2 = 0");
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();
        UnaryOperator<SourceTable> tables = t -> new ForwardingSourceTable(recording(outcomes, () -> { }).apply(t)) {
            @Override
            protected void beforeExport(Instant start, Instant end) {
                if (start.equals(Instant.parse("2024-01-27T00:00:00Z"))) {
                    f.sql("INSERT INTO metrics VALUES ('2024-01-27 05:30+00', 9, 1.0, 'in an hour nobody exported')");
                }
                // Before the last window's readiness check, so the partition holds as many rows as were archived.
                if (start.equals(Instant.parse("2024-01-27T22:00:00Z"))) {
                    f.sql("DELETE FROM " + TARGET + " WHERE recorded_at = '2024-01-27 12:00+00'");
                }
            }
        };

        RunReport report = run(f, tables);

        assertThat(report.count(BatchOutcome.Result.FAILED)).as(report.batches().toString()).isEqualTo(1);
        assertThat(outcomes.get(TARGET).matches()).isFalse();
        assertThat(exists(f, "public." + TARGET)).isTrue();
        assertThat(f.count("SELECT count(*) FROM " + TARGET)).isEqualTo(72);
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE note = 'in an hour nobody exported'")).isEqualTo(1);
    }

    /**
     * A day that is itself partitioned, by hash or by two 12-hour ranges, is the unit: the scan
     * reads its sub-partitions through it, and it goes whole, or stays whole when a row in one of
     * its sub-partitions changed.
     */
    @Test
    void aDayPartitionedFurtherIsProvenThroughItsSubPartitionsAndGoesOrStaysWhole() {
        ArchiveFixture f = ArchiveFixture.local().clock(PartitionRetentionIT.CLOCK)
                .table(metrics(Granularity.DAILY, Duration.ofDays(2), Retention.DROP, Optional.empty()));
        f.sql("CREATE TABLE metrics (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text) "
                        + "PARTITION BY RANGE (recorded_at)",
                "CREATE TABLE metrics_20240126 PARTITION OF metrics FOR VALUES FROM ('2024-01-26 00:00+00') "
                        + "TO ('2024-01-27 00:00+00') PARTITION BY HASH (sensor_id)",
                "CREATE TABLE metrics_20240126_h0 PARTITION OF metrics_20240126 FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "CREATE TABLE metrics_20240126_h1 PARTITION OF metrics_20240126 FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
                "CREATE TABLE " + TARGET + " PARTITION OF metrics FOR VALUES FROM ('2024-01-27 00:00+00') "
                        + "TO ('2024-01-28 00:00+00') PARTITION BY RANGE (recorded_at)",
                "CREATE TABLE " + TARGET + "_am PARTITION OF " + TARGET + " FOR VALUES FROM ('2024-01-27 00:00+00') "
                        + "TO ('2024-01-27 12:00+00')",
                "CREATE TABLE " + TARGET + "_pm PARTITION OF " + TARGET + " FOR VALUES FROM ('2024-01-27 12:00+00') "
                        + "TO ('2024-01-28 00:00+00')",
                "CREATE TABLE metrics_20240128 PARTITION OF metrics FOR VALUES FROM ('2024-01-28 00:00+00') "
                        + "TO ('2024-01-29 00:00+00') PARTITION BY RANGE (recorded_at)",
                "CREATE TABLE metrics_20240128_am PARTITION OF metrics_20240128 FOR VALUES FROM ('2024-01-28 00:00+00') "
                        + "TO ('2024-01-28 12:00+00')",
                "CREATE TABLE metrics_20240128_pm PARTITION OF metrics_20240128 FOR VALUES FROM ('2024-01-28 12:00+00') "
                        + "TO ('2024-01-29 00:00+00')",
                "CREATE TABLE metrics_rest PARTITION OF metrics FOR VALUES FROM ('2024-01-29 00:00+00') TO ('2024-03-01 00:00+00')",
                "INSERT INTO metrics SELECT t, (extract(minute FROM t)::int / 10), random() * 100, 'reading ' || n "
                        + "FROM generate_series(timestamptz '2024-01-26 00:00+00', timestamptz '2024-01-28 23:50+00', "
                        + "interval '10 minutes') WITH ORDINALITY AS g(t, n)");
        List<List<String>> before = ArchiveRunIT.pgRows(f, ROWS.replace("'2024-01-30'", "'2024-01-27'"));
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();
        String afternoon = "'2024-01-27 15:00+00'";

        RunReport report = run(f, recording(outcomes,
                () -> f.sql("UPDATE " + TARGET + "_pm SET value = -1 WHERE recorded_at = " + afternoon)));

        assertThat(report.count(BatchOutcome.Result.FAILED)).as(report.batches().toString()).isEqualTo(1);
        assertThat(outcomes).containsOnlyKeys("metrics_20240126", TARGET, "metrics_20240128");
        assertThat(outcomes.get("metrics_20240126").method()).isEqualTo(PartitionProof.Method.UNCHANGED_SINCE_EXPORT);
        assertThat(outcomes.get("metrics_20240128").method()).isEqualTo(PartitionProof.Method.UNCHANGED_SINCE_EXPORT);
        assertThat(outcomes.get(TARGET).difference()).contains("whose values differ from the 144 archived");
        assertThat(exists(f, "public.metrics_20240126")).isFalse();
        assertThat(exists(f, "public.metrics_20240126_h0")).isFalse();
        assertThat(exists(f, "public.metrics_20240128_pm")).isFalse();
        assertThat(f.count("SELECT count(*) FROM pg_inherits WHERE inhrelid = '" + TARGET + "'::regclass"))
                .as("attached again, with both halves").isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM " + TARGET + "_am") + f.count("SELECT count(*) FROM " + TARGET + "_pm"))
                .isEqualTo(144);
        assertThat(f.count("SELECT count(*) FROM metrics WHERE value = -1 AND recorded_at = " + afternoon)).isEqualTo(1);
        assertSameRows(archived(f).subList(0, 144), before);
    }

    /**
     * Guard: a table put in the partition's place after the export holds rows no export saw,
     * however old. Swapped in before the readiness check, its catalog row is newer than the
     * export snapshot; swapped in just before the detach, it is another relation than the one
     * checked. Either way its values are read again, and it stays.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "swapped in {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"before the readiness check", "just before the detach"})
    void aTableSwappedInForThePartitionAfterTheExportStays(String when) {
        ArchiveFixture f = fourDays();
        f.sql("CREATE TABLE impostor (LIKE metrics)",
                "INSERT INTO impostor SELECT t, 1, 1.0, 'impostor' FROM generate_series(timestamptz '2024-01-27 00:00+00', "
                        + "timestamptz '2024-01-27 23:50+00', interval '10 minutes') t");
        java.util.concurrent.atomic.AtomicBoolean swapped = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable swap = () -> f.sql("ALTER TABLE metrics DETACH PARTITION " + TARGET,
                "ALTER TABLE " + TARGET + " RENAME TO " + TARGET + "_real",
                "ALTER TABLE impostor RENAME TO " + TARGET,
                "ALTER TABLE metrics ATTACH PARTITION " + TARGET + " FOR VALUES FROM ('2024-01-27 00:00+00') "
                        + "TO ('2024-01-28 00:00+00')");
        boolean early = when.startsWith("before");
        Map<String, PartitionProof.Outcome> outcomes = new ConcurrentHashMap<>();
        UnaryOperator<SourceTable> tables = t -> new ForwardingSourceTable(recording(outcomes, () -> { }).apply(t)) {
            @Override
            public List<Long> count(List<io.pgfreezer.manifest.DeleteChunk> chunks) {
                if (early && chunks.get(0).from().equals(Instant.parse("2024-01-27T00:00:00Z")) && !swapped.getAndSet(true)) {
                    swap.run();
                }
                return super.count(chunks);
            }

            @Override
            protected void beforeDetach(String partition) {
                if (!early && partition.contains(TARGET) && !swapped.getAndSet(true)) {
                    swap.run();
                }
            }
        };

        RunReport report = run(f, tables);

        assertRefusedAndKept(f, report, outcomes, 144);
        assertThat(outcomes.get(TARGET).difference()).contains("whose values differ from the 144 archived");
        assertThat(f.count("SELECT count(*) FROM " + TARGET + " WHERE note = 'impostor'")).isEqualTo(144);
    }

    static long single(Statement st, String sql) {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The target's proof refused, its partition attached again with {@code rows} rows, the other days dropped. */
    static void assertRefusedAndKept(ArchiveFixture f, RunReport report, Map<String, PartitionProof.Outcome> outcomes,
                                     long rows) {
        assertThat(report.count(BatchOutcome.Result.FAILED)).as(report.batches().toString()).isEqualTo(1);
        assertThat(outcomes.get(TARGET).matches()).isFalse();
        assertThat(exists(f, "public." + TARGET)).isTrue();
        assertThat(f.count("SELECT count(*) FROM pg_inherits WHERE inhrelid = '" + TARGET + "'::regclass"))
                .as("attached again").isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM " + TARGET)).isEqualTo(rows);
        assertThat(partitionsOf(f)).as("the other three days went, the target and 30, 31 January and 1 February stay")
                .isEqualTo(4);
        assertThat(f.manifests("metrics")).filteredOn(m -> m.status() == BatchStatus.FAILED).singleElement()
                .satisfies(m -> assertThat(m.error()).contains("Partition guard"));
    }
}
