package io.pgfreezer.cli;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.Archiver;
import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.LogEvents;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.engine.StopSignal;
import io.pgfreezer.format.ParquetFormat;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.metrics.ArchivedTotals;
import io.pgfreezer.metrics.MetricsPublisher;
import io.pgfreezer.metrics.RunMetrics;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.notify.WebhookNotifier;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Wires the real backends to the engine for {@code run} and {@code replay}, and reports the outcome. */
final class ArchiveRunner {
    private static final Logger log = LoggerFactory.getLogger(ArchiveRunner.class);
    /** How long SIGTERM waits for the batch in progress; Kubernetes' grace period should exceed it. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofMinutes(10);

    private ArchiveRunner() {
    }

    static int execute(FreezerConfig config, RunOptions options, boolean daemon, PrintWriter out) {
        StopSignal stop = new StopSignal();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.request();
            try {
                if (!finished.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.error("the batch in progress did not finish within {}; it resumes on the next run", SHUTDOWN_GRACE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pg-freezer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Clock clock = Clock.systemUTC();
        MetricsPublisher metrics = new MetricsPublisher(config.global().metrics());
        try (ObjectStorage storage = ObjectStorages.open(config.storage());
             PostgresSource source = new PostgresSource(config.database());
             Progress progress = options.dryRun() ? Progress.silent() : Progress.forStderr()) {
            Notifier notifier = config.global().webhookUrl().<Notifier>map(WebhookNotifier::new).orElse(Notifier.NONE);
            StorageManifestStore manifests = StorageManifestStore.open(storage, System.getenv());
            Archiver archiver = new Archiver(config, source, storage, manifests,
                    new ParquetFormat(config.global().compression()), notifier, clock, stop,
                    Path.of(System.getProperty("java.io.tmpdir")), new RunProgress(progress, System::nanoTime));
            RunReport report;
            while (true) {
                long started = System.nanoTime();
                log.atInfo().addKeyValue(LogEvents.KEY, LogEvents.RUN_STARTED)
                        .addKeyValue("tables", config.select(options.table().orElse(null)).size())
                        .addKeyValue("dry_run", options.dryRun())
                        .log("run started{}", options.dryRun() ? " (dry run)" : "");
                report = archiver.run(options);
                if (!options.dryRun()) {
                    refreshIndexes(config, options, manifests);
                }
                // The summary goes to stdout, which the status line does not know about: erase it first.
                progress.update("");
                publishMetrics(config, options, report, clock, metrics, manifests);
                summarize(report, options.dryRun(), out);
                logSummary(report, options.dryRun(), (System.nanoTime() - started) / 1e9);
                if (!daemon || stop.requested()) {
                    break;
                }
                log.info("next check in {}", config.global().checkInterval());
                if (stop.awaitStop(config.global().checkInterval().toMillis())) {
                    break;
                }
            }
            return exitCode(report, storage, config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            finished.countDown();
            removeHook(hook);
        }
    }

    /**
     * Writes each covered table's manifest index after the run, so the next status, list or run
     * reads only what changed. The index is only ever a shortcut: failing to write it is a warning.
     */
    static void refreshIndexes(FreezerConfig config, RunOptions options, StorageManifestStore manifests) {
        for (TableConfig table : config.select(options.table().orElse(null))) {
            try {
                StorageManifestStore.IndexUpdate update = manifests.refreshIndex(table.name());
                log.debug("manifest index of {}: {} manifest(s), {} read, {}", table.qualifiedName(), update.manifests(),
                        update.read(), update.written() ? "written" : "unchanged");
            } catch (RuntimeException e) {
                log.warn("could not write the manifest index of {} (status, list and run still read the manifests): {}",
                        table.qualifiedName(), FreezerException.oneLine(String.valueOf(e.getMessage())));
            }
        }
    }

    /**
     * A FAILED batch needs an operator whatever else happened. A run that stopped on errors alone
     * (the engine's ERROR outcomes: database or storage trouble, batches resume next run) is
     * reported as temporary when the database or storage cannot be reached now, so alerting can
     * wait for the next run instead of paging someone.
     */
    static int exitCode(RunReport report, ObjectStorage storage, FreezerConfig config) {
        if (report.succeeded()) {
            return ExitCodes.OK;
        }
        if (report.onlyTransientFailures()) {
            return ExitCodes.TEMPORARY;
        }
        boolean batchNeedsOperator = report.batches().stream().anyMatch(b -> b.result() == BatchOutcome.Result.FAILED
                || b.result() == BatchOutcome.Result.SKIPPED_FAILED);
        if (!batchNeedsOperator && unreachable(storage, config)) {
            log.warn("the database or storage cannot be reached; exiting with {} (temporary)", ExitCodes.TEMPORARY);
            return ExitCodes.TEMPORARY;
        }
        return ExitCodes.ATTENTION;
    }

    private static boolean unreachable(ObjectStorage storage, FreezerConfig config) {
        try {
            storage.stat(PROBE_KEY);
        } catch (RuntimeException e) {
            if (ExitCodes.isTemporary(e)) {
                return true;
            }
        }
        try (PostgresSource probe = new PostgresSource(config.database())) {
            return false;
        } catch (RuntimeException e) {
            return ExitCodes.isTemporary(e);
        }
    }

    /** Any key will do: only whether storage answers matters, not whether the object exists. */
    private static final String PROBE_KEY = "_manifests/.reachability-probe";

    /** After every run, daemon iterations included; a monitoring problem is only ever a warning. */
    static void publishMetrics(FreezerConfig config, RunOptions options, RunReport report, Clock clock,
                               MetricsPublisher metrics, StorageManifestStore manifests) {
        if (!config.global().metrics().enabled()) {
            return;
        }
        List<String> configured = config.tables().stream().map(TableConfig::qualifiedName).toList();
        List<TableConfig> selected = config.select(options.table().orElse(null));
        List<String> covered = selected.stream().map(TableConfig::qualifiedName).toList();
        Map<String, ArchivedTotals> totals = new HashMap<>();
        for (TableConfig table : selected) {
            try {
                // The index the run just refreshed answers this without reading manifest by manifest.
                totals.put(table.qualifiedName(), ArchivedTotals.of(manifests.list(table.name())));
            } catch (RuntimeException e) {
                log.warn("could not read the manifests of {} for the archived totals: {}", table.qualifiedName(),
                        FreezerException.oneLine(String.valueOf(e.getMessage())));
            }
        }
        metrics.publish(RunMetrics.of(report, covered, clock.instant(), totals), Set.copyOf(configured));
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running and returns as soon as we are finished.
        }
    }

    /**
     * The summary of {@link #summarize} as one {@code run_done} line, so log collectors get it
     * as structured data; on a terminal it is a {@code -v} detail, as stdout already shows it.
     */
    static void logSummary(RunReport report, boolean dryRun, double seconds) {
        long rows = sum(report, BatchOutcome::rows);
        long bytes = sum(report, BatchOutcome::bytes);
        var line = log.atInfo()
                .addKeyValue(LogEvents.KEY, LogEvents.RUN_DONE)
                .addKeyValue("dry_run", dryRun)
                .addKeyValue("succeeded", report.succeeded())
                .addKeyValue("batches_done", report.count(BatchOutcome.Result.DONE))
                .addKeyValue("batches_failed", report.count(BatchOutcome.Result.FAILED))
                .addKeyValue("batches_skipped", report.count(BatchOutcome.Result.SKIPPED_FAILED))
                .addKeyValue("batches_stopped", report.count(BatchOutcome.Result.ERROR)
                        + report.count(BatchOutcome.Result.TRANSIENT))
                .addKeyValue("windows", report.batches().size())
                .addKeyValue("rows", rows)
                .addKeyValue("bytes", bytes)
                .addKeyValue("seconds", seconds)
                .addKeyValue("tables_busy", report.busyTables().size())
                .addKeyValue("table_errors", report.tableErrors().size());
        if (dryRun) {
            line.log("dry run done: {} window(s), {} rows would be archived", report.batches().size(),
                    String.format("%,d", rows));
        } else {
            line.log("run done: {} batch(es) done ({} rows, {} bytes archived), {} failed, {} skipped as FAILED, {} stopped by errors",
                    report.count(BatchOutcome.Result.DONE), String.format("%,d", rows), String.format("%,d", bytes),
                    report.count(BatchOutcome.Result.FAILED), report.count(BatchOutcome.Result.SKIPPED_FAILED),
                    report.count(BatchOutcome.Result.ERROR) + report.count(BatchOutcome.Result.TRANSIENT));
        }
    }

    /** Where a dry run's message says how the window's rows would leave PostgreSQL. */
    private static final String THEN = "; then ";

    static void summarize(RunReport report, boolean dryRun, PrintWriter out) {
        if (dryRun) {
            out.printf("%-24s %-46s %12s %14s%n", "TABLE", "WINDOW", "ROWS", "PG BYTES");
            for (BatchOutcome b : report.batches()) {
                out.printf("%-24s %-46s %12s %14s%n", b.table(), b.window(),
                        String.format("%,d", b.rows()), String.format("%,d", b.bytes()));
                int then = b.message() == null ? -1 : b.message().indexOf(THEN);
                // Only tables with retention: detach | drop say how the rows would leave.
                if (then >= 0 && b.message().contains("partition")) {
                    out.println("  then " + b.message().substring(then + THEN.length()));
                }
            }
            out.printf("dry run: %d window(s), %,d rows would be archived; nothing was written or deleted%n",
                    report.batches().size(), sum(report, BatchOutcome::rows));
        } else {
            out.printf("%d batch(es) done (%,d rows, %,d bytes archived), %d failed, %d skipped as FAILED, %d stopped by errors%n",
                    report.count(BatchOutcome.Result.DONE), sum(report, BatchOutcome::rows), sum(report, BatchOutcome::bytes),
                    report.count(BatchOutcome.Result.FAILED), report.count(BatchOutcome.Result.SKIPPED_FAILED),
                    report.count(BatchOutcome.Result.ERROR));
            if (report.count(BatchOutcome.Result.PRUNE_PENDING) > 0) {
                out.printf("%d batch(es) archived and verified, waiting for the other windows of their partition%n",
                        report.count(BatchOutcome.Result.PRUNE_PENDING));
            }
        }
        for (String line : report.restoredWindows()) {
            out.println("restored: " + line);
        }
        for (String table : report.busyTables()) {
            out.println("busy: " + table + " is being archived by another process");
        }
        for (String error : report.tableErrors()) {
            out.println("error: " + error);
        }
        for (BatchOutcome b : report.batches()) {
            if (b.result() == BatchOutcome.Result.FAILED) {
                out.println("FAILED " + b.table() + " " + b.window() + " (" + b.batchId() + "): " + b.message());
            }
        }
        out.flush();
    }

    private static long sum(RunReport r, Function<BatchOutcome, Long> f) {
        return r.batches().stream().mapToLong(f::apply).sum();
    }
}
