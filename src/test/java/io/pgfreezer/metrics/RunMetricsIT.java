package io.pgfreezer.metrics;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics of real runs against PostgreSQL and a local archive equal what the runs did. */
class RunMetricsIT {
    static final Instant NOW = Instant.parse("2024-02-01T12:00:00Z");
    static final String TABLE = "public.sensor_readings";
    static final Map<String, String> OF_TABLE = Map.of("table", TABLE);
    static final String ARCHIVABLE = "SELECT count(*) FROM sensor_readings WHERE recorded_at < '2024-01-30'";

    static ArchiveFixture sensorReadings() {
        ArchiveFixture f = ArchiveFixture.local().clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, note text)",
                "INSERT INTO sensor_readings SELECT t, n % 7, 'reading ' || n "
                        + "FROM generate_series(timestamptz '2024-01-25 00:00+00', timestamptz '2024-02-01 11:50+00', "
                        + "interval '10 minutes') WITH ORDINALITY AS g(t, n)");
        return f;
    }

    static Map<String, PrometheusText.Family> exposition(RunReport report) {
        return PrometheusText.parse(RunMetrics.of(report, List.of(TABLE), NOW).render());
    }

    static Map<String, PrometheusText.Family> exposition(RunReport report, ArchiveFixture f) {
        return PrometheusText.parse(RunMetrics.of(report, List.of(TABLE), NOW,
                Map.of(TABLE, ArchivedTotals.of(f.manifests("sensor_readings")))).render());
    }

    /** The first row of the fixture, 2024-01-25 00:00, at NOW. */
    static final double OLDEST_ROW_AGE = Duration.between(Instant.parse("2024-01-25T00:00:00Z"), NOW).toSeconds();

    static double value(Map<String, PrometheusText.Family> m, String family, Map<String, String> labels) {
        return m.get(family).value(labels);
    }

    static Map<String, String> status(String status) {
        return Map.of("table", TABLE, "status", status);
    }

    @Test
    void aSuccessfulRunReportsTheRowsGoneFromPostgresAndTheBytesTheManifestsRecord() {
        ArchiveFixture f = sensorReadings();
        long archivable = f.count(ARCHIVABLE);

        RunReport report = f.runAll();

        Map<String, PrometheusText.Family> m = exposition(report);
        List<BatchManifest> manifests = f.manifests("sensor_readings");
        assertThat(f.count(ARCHIVABLE)).isZero();
        assertThat(value(m, "pg_freezer_last_run_archived_rows", OF_TABLE)).isEqualTo(archivable).isEqualTo(720);
        assertThat(value(m, "pg_freezer_last_run_archived_bytes", OF_TABLE))
                .isEqualTo(manifests.stream().mapToLong(BatchManifest::parquetSizeBytes).sum());
        assertThat(value(m, "pg_freezer_last_run_batches", status("done"))).isEqualTo(manifests.size()).isEqualTo(5);
        for (String other : List.of("failed", "skipped_failed", "error", "dry_run")) {
            assertThat(value(m, "pg_freezer_last_run_batches", status(other))).as(other).isZero();
        }
        assertThat(value(m, "pg_freezer_last_run_phase_seconds", Map.of("table", TABLE, "phase", "export"))).isPositive();
        assertThat(value(m, "pg_freezer_last_run_phase_seconds", Map.of("table", TABLE, "phase", "delete"))).isPositive();
        assertThat(value(m, "pg_freezer_last_run_success", OF_TABLE)).isEqualTo(1);
        assertThat(value(m, "pg_freezer_table_busy", OF_TABLE)).isZero();
        assertThat(value(m, "pg_freezer_last_run_timestamp_seconds", OF_TABLE)).isEqualTo(NOW.getEpochSecond());
        assertThat(value(m, "pg_freezer_backlog_windows", OF_TABLE)).isZero();
        assertThat(value(m, "pg_freezer_backlog_rows", OF_TABLE)).isZero();
        assertThat(value(m, "pg_freezer_backlog_oldest_row_age_seconds", OF_TABLE)).isZero();
    }

    @Test
    void theArchivedTotalsCountEveryRunFromTheManifestsSoTheyOnlyGrow() {
        ArchiveFixture f = sensorReadings();
        long archivable = f.count(ARCHIVABLE);
        f.runAll();
        // A late row in a window already DONE: the next run archives it as a batch of its own.
        f.sql("INSERT INTO sensor_readings VALUES ('2024-01-26 08:00+00', 1, 'late')");

        RunReport second = f.runAll();

        Map<String, PrometheusText.Family> m = exposition(second, f);
        assertThat(m.get("pg_freezer_archived_rows_total").type()).isEqualTo("counter");
        assertThat(value(m, "pg_freezer_last_run_archived_rows", OF_TABLE)).isEqualTo(1);
        assertThat(value(m, "pg_freezer_archived_rows_total", OF_TABLE)).isEqualTo(archivable + 1);
        assertThat(value(m, "pg_freezer_archived_bytes_total", OF_TABLE))
                .isEqualTo(f.manifests("sensor_readings").stream().mapToLong(BatchManifest::parquetSizeBytes).sum())
                .isGreaterThan(value(m, "pg_freezer_last_run_archived_bytes", OF_TABLE));
    }

    @Test
    void aFailedBatchCountsAsFailedMakesTheRunUnsuccessfulAndArchivesNothingOfItsWindow() {
        ArchiveFixture f = sensorReadings();
        long archivable = f.count(ARCHIVABLE);
        UnaryOperator<ObjectStorage> corruptFirst = s -> new ForwardingStorage(s) {
            boolean done;

            @Override
            protected void afterCommit(String key) {
                if (!done) {
                    done = true;
                    flipByte(f, key);
                }
            }
        };

        RunReport report = f.run(RunOptions.run(Optional.empty(), false, false), corruptFirst,
                UnaryOperator.identity(), Notifier.NONE);

        Map<String, PrometheusText.Family> m = exposition(report);
        assertThat(value(m, "pg_freezer_last_run_batches", status("failed"))).isEqualTo(1);
        assertThat(value(m, "pg_freezer_last_run_batches", status("done"))).isEqualTo(4);
        assertThat(value(m, "pg_freezer_last_run_success", OF_TABLE)).isZero();
        long deleted = archivable - f.count(ARCHIVABLE);
        assertThat(value(m, "pg_freezer_last_run_archived_rows", OF_TABLE)).isEqualTo(deleted).isEqualTo(576);
        assertThat(f.manifests("sensor_readings")).filteredOn(b -> b.status() == BatchStatus.FAILED).hasSize(1);
        // The FAILED window, the oldest, is what is left: archiving is behind by its rows and age.
        assertThat(value(m, "pg_freezer_backlog_windows", OF_TABLE)).isEqualTo(1);
        assertThat(value(m, "pg_freezer_backlog_rows", OF_TABLE)).isEqualTo(f.count(ARCHIVABLE)).isEqualTo(144);
        assertThat(value(m, "pg_freezer_backlog_oldest_row_age_seconds", OF_TABLE)).isEqualTo(OLDEST_ROW_AGE);
    }

    @Test
    void aTableLockedByAnotherProcessIsReportedBusyNotFailed() {
        ArchiveFixture f = sensorReadings();
        try (PostgresSource other = new PostgresSource(f.config().database());
             SourceTable held = other.open(f.config().tables().get(0)).orElseThrow()) {

            RunReport report = f.runAll();

            assertThat(report.busyTables()).containsExactly(TABLE);
            Map<String, PrometheusText.Family> m = exposition(report);
            assertThat(value(m, "pg_freezer_table_busy", OF_TABLE)).isEqualTo(1);
            assertThat(value(m, "pg_freezer_last_run_success", OF_TABLE)).isEqualTo(1);
            assertThat(value(m, "pg_freezer_last_run_archived_rows", OF_TABLE)).isZero();
            assertThat(held).isNotNull();
        }
    }

    @Test
    void aDryRunCountsItsWindowsAndArchivesNothing() {
        ArchiveFixture f = sensorReadings();

        RunReport report = f.run(RunOptions.run(Optional.empty(), true, false));

        Map<String, PrometheusText.Family> m = exposition(report);
        assertThat(report.count(BatchOutcome.Result.DRY_RUN)).isEqualTo(5);
        assertThat(value(m, "pg_freezer_last_run_batches", status("dry_run"))).isEqualTo(5);
        assertThat(value(m, "pg_freezer_last_run_archived_rows", OF_TABLE)).isZero();
        assertThat(value(m, "pg_freezer_last_run_archived_bytes", OF_TABLE)).isZero();
        assertThat(value(m, "pg_freezer_backlog_windows", OF_TABLE)).isEqualTo(5);
        assertThat(value(m, "pg_freezer_backlog_rows", OF_TABLE)).isEqualTo(f.count(ARCHIVABLE)).isEqualTo(720);
        assertThat(value(m, "pg_freezer_backlog_oldest_row_age_seconds", OF_TABLE)).isEqualTo(OLDEST_ROW_AGE);
    }

    @Test
    void aBusyTableHasNoBacklogSamplesRatherThanAMisleadingZero() {
        ArchiveFixture f = sensorReadings();
        try (PostgresSource other = new PostgresSource(f.config().database());
             SourceTable held = other.open(f.config().tables().get(0)).orElseThrow()) {
            Map<String, PrometheusText.Family> m = exposition(f.runAll());

            assertThat(m).doesNotContainKey("pg_freezer_backlog_rows");
            assertThat(held).isNotNull();
        }
    }

    private static void flipByte(ArchiveFixture f, String key) {
        try (RandomAccessFile file = new RandomAccessFile(f.root.resolve(key).toFile(), "rw")) {
            file.seek(100);
            int b = file.read();
            file.seek(100);
            file.write(b ^ 0xFF);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
