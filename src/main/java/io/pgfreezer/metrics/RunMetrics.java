package io.pgfreezer.metrics;

import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.engine.TableBacklog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The metrics of one run: for every table the run was asked to process, what its last run did.
 * Tables with nothing to do still get a full set of samples, so their timestamp stays fresh and
 * a stale-run alert fires only when runs really stop.
 */
public final class RunMetrics {
    private final Set<String> tables;
    private final List<Sample> samples;

    private RunMetrics(Set<String> tables, List<Sample> samples) {
        this.tables = Set.copyOf(tables);
        this.samples = List.copyOf(samples);
    }

    /**
     * @param tables     the tables (schema.name) the run was asked to process, in configuration order
     * @param finishedAt when the run finished
     */
    public static RunMetrics of(RunReport report, List<String> tables, Instant finishedAt) {
        return of(report, tables, finishedAt, Map.of());
    }

    /**
     * @param totals what the archive holds per table (schema.name), for the counters; a table
     *               missing here (its manifests could not be read) publishes no counter samples,
     *               which Prometheus treats as a gap, not as a reset
     */
    public static RunMetrics of(RunReport report, List<String> tables, Instant finishedAt,
                                Map<String, ArchivedTotals> totals) {
        List<BatchOutcome> batches = report.batches();
        List<String> busy = report.busyTables();
        List<String> errors = report.tableErrors();
        Map<String, TableBacklog> backlogs = report.backlogs();
        double timestamp = finishedAt.toEpochMilli() / 1000.0;
        List<Sample> samples = new ArrayList<>();
        for (String table : new LinkedHashSet<>(tables)) {
            List<BatchOutcome> own = batches.stream().filter(b -> b.table().equals(table)).toList();
            List<BatchOutcome> done = own.stream().filter(b -> b.result() == BatchOutcome.Result.DONE).toList();
            boolean errored = errors.stream().anyMatch(e -> e.startsWith(table + ": "));
            boolean success = !errored && own.stream().noneMatch(BatchOutcome::needsAttention);

            ArchivedTotals total = totals.get(table);
            if (total != null) {
                samples.add(sample(Family.ARCHIVED_ROWS_TOTAL, table, Map.of(), total.rows()));
                samples.add(sample(Family.ARCHIVED_BYTES_TOTAL, table, Map.of(), total.bytes()));
            }
            samples.add(sample(Family.LAST_RUN_ARCHIVED_ROWS, table, Map.of(),
                    done.stream().mapToLong(BatchOutcome::rows).sum()));
            samples.add(sample(Family.LAST_RUN_ARCHIVED_BYTES, table, Map.of(),
                    done.stream().mapToLong(BatchOutcome::bytes).sum()));
            for (BatchOutcome.Result result : BatchOutcome.Result.values()) {
                long count = own.stream().filter(b -> b.result() == result).count();
                samples.add(sample(Family.LAST_RUN_BATCHES, table,
                        Map.of("status", result.name().toLowerCase(Locale.ROOT)), count));
            }
            samples.add(phase(table, "export", own, BatchOutcome::exportTime));
            samples.add(phase(table, "verify", own, BatchOutcome::verifyTime));
            samples.add(phase(table, "delete", own, BatchOutcome::deleteTime));
            samples.add(sample(Family.LAST_RUN_TIMESTAMP, table, Map.of(), timestamp));
            samples.add(sample(Family.LAST_RUN_SUCCESS, table, Map.of(), success ? 1 : 0));
            samples.add(sample(Family.TABLE_BUSY, table, Map.of(), busy.contains(table) ? 1 : 0));
            TableBacklog backlog = backlogs.get(table);
            if (backlog != null) {
                // Unmeasured (busy table, failed session) stays absent: a 0 would read as "caught up".
                samples.add(sample(Family.BACKLOG_WINDOWS, table, Map.of(), backlog.windows()));
                samples.add(sample(Family.BACKLOG_ROWS, table, Map.of(), backlog.rows()));
                double age = backlog.oldestRow()
                        .map(oldest -> Math.max(0, Duration.between(oldest, finishedAt).toMillis() / 1000.0))
                        .orElse(0.0);
                samples.add(sample(Family.BACKLOG_OLDEST_ROW_AGE_SECONDS, table, Map.of(), age));
            }
        }
        return new RunMetrics(new LinkedHashSet<>(tables), samples);
    }

    private static Sample phase(String table, String phase, List<BatchOutcome> batches,
                                Function<BatchOutcome, Duration> time) {
        long nanos = batches.stream().map(time).mapToLong(Duration::toNanos).sum();
        return sample(Family.LAST_RUN_PHASE_SECONDS, table, Map.of("phase", phase), nanos / 1e9);
    }

    private static Sample sample(Family family, String table, Map<String, String> extra, double value) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put(Sample.TABLE, table);
        labels.putAll(extra);
        return new Sample(family, labels, value);
    }

    /** The tables this run covered. */
    public Set<String> tables() {
        return tables;
    }

    List<Sample> samples() {
        return samples;
    }

    /** This run's metrics in the Prometheus text exposition format. */
    public String render() {
        return TextFormat.render(samples);
    }
}
