package io.pgfreezer.cli;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.BatchSink;
import io.pgfreezer.source.ExportResult;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import io.pgfreezer.testing.ForwardingSource;
import io.pgfreezer.testing.ForwardingSourceTable;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** An unexpected exception in one table of a run, against a real PostgreSQL and a local archive. */
class TableIsolationIT {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-02-01T12:00:00Z"), ZoneOffset.UTC);
    static final String OLD = " WHERE recorded_at < '2024-01-30'";

    static ArchiveFixture twoTables() {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2))
                .table("device_events", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        for (String table : List.of("sensor_readings", "device_events")) {
            f.sql("CREATE TABLE " + table + " (recorded_at timestamptz NOT NULL, value double precision)",
                    "INSERT INTO " + table + " SELECT t, extract(minute FROM t) FROM generate_series("
                            + "timestamptz '2024-01-20 00:00+00', timestamptz '2024-02-01 11:50+00', interval '10 minutes') t");
        }
        return f;
    }

    /** device_events fails in the middle of its first export with an exception nobody wrote a handler for. */
    static UnaryOperator<io.pgfreezer.source.Source> brokenDeviceEvents() {
        return real -> new ForwardingSource(real) {
            @Override
            protected SourceTable wrap(TableConfig table, SourceTable session) {
                if (!table.name().equals("device_events")) {
                    return session;
                }
                return new ForwardingSourceTable(session) {
                    @Override
                    public ExportResult export(Instant start, Instant end, int chunkRows,
                                               io.pgfreezer.format.ArchivedRows alreadyArchived, BatchSink sink) {
                        return delegate.export(start, end, chunkRows, alreadyArchived, batch -> {
                            throw new IllegalStateException("injected fault in the middle of an export");
                        });
                    }
                };
            }
        };
    }

    @Test
    void anUnexpectedExceptionInOneTableFailsThatTableOnlyAndTheOtherFinishesItsRun() {
        ArchiveFixture f = twoTables();
        long brokenRows = f.count("SELECT count(*) FROM device_events");
        long archivable = f.count("SELECT count(*) FROM sensor_readings" + OLD);

        RunReport report = f.run(RunOptions.run(Optional.empty(), false, false), brokenDeviceEvents(),
                UnaryOperator.identity(), UnaryOperator.identity(), Notifier.NONE);

        // The healthy table ran to the end: every window archived, verified and deleted.
        assertThat(report.batches().stream().filter(b -> b.table().equals("public.sensor_readings"))
                .map(BatchOutcome::result)).hasSize(10).containsOnly(BatchOutcome.Result.DONE);
        assertThat(f.manifests("sensor_readings")).hasSize(10)
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
        assertThat(f.count("SELECT count(*) FROM sensor_readings" + OLD)).isZero();
        assertThat(DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(f.root, "sensor_readings")))
                .containsExactly(List.of(String.valueOf(archivable)));
        // The broken table lost nothing, and the run says which table failed and why: its
        // batches are FAILED (nothing of them deleted) and wait for an operator.
        assertThat(f.count("SELECT count(*) FROM device_events")).isEqualTo(brokenRows);
        assertThat(report.batches().stream().filter(b -> b.table().equals("public.device_events")))
                .isNotEmpty()
                .allSatisfy(b -> {
                    assertThat(b.result()).isEqualTo(BatchOutcome.Result.FAILED);
                    assertThat(b.message()).contains("unexpected error").contains("IllegalStateException")
                            .contains("injected fault in the middle of an export").doesNotContain("\n");
                });
        try (io.pgfreezer.storage.ObjectStorage storage = f.openStorage()) {
            assertThat(ArchiveRunner.exitCode(report, storage, f.config())).isEqualTo(1);
        }
        StringWriter summary = new StringWriter();
        ArchiveRunner.summarize(report, false, new PrintWriter(summary, true));
        assertThat(summary.toString()).contains("10 batch(es) done").contains("public.device_events");

        // Once the defect is gone, --force retries the failed table from its saved state, with nothing lost.
        RunReport next = f.run(new RunOptions(Optional.empty(), false, true, Optional.empty(), Optional.empty()));

        assertThat(next.succeeded()).as(next.batches() + " " + next.tableErrors()).isTrue();
        try (io.pgfreezer.storage.ObjectStorage storage = f.openStorage()) {
            assertThat(ArchiveRunner.exitCode(next, storage, f.config())).isZero();
        }
        assertThat(f.count("SELECT count(*) FROM device_events" + OLD)).isZero();
        assertThat(f.manifests("device_events")).hasSize(10).extracting(BatchManifest::status)
                .containsOnly(BatchStatus.DONE);
        assertThat(DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(f.root, "device_events")))
                .containsExactly(List.of(String.valueOf(brokenRows - f.count("SELECT count(*) FROM device_events"))));
    }
}
