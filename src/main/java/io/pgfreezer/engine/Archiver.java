package io.pgfreezer.engine;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Retention;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.format.ArchiveFormat;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.EligibleRows;
import io.pgfreezer.source.Source;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.storage.ObjectStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.time.Instant;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs the archive for every configured table (or one): tables in parallel up to
 * {@code max_table_concurrency}, the windows of one table strictly in order, each table under
 * its database lock so concurrent pg-freezer processes never work on the same table.
 */
public final class Archiver {
    private static final Logger log = LoggerFactory.getLogger(Archiver.class);

    private final FreezerConfig config;
    private final Source source;
    private final ObjectStorage storage;
    private final ManifestStore manifests;
    private final ArchiveFormat format;
    private final Notifier notifier;
    private final Clock clock;
    private final StopSignal stop;
    private final Path tempDir;
    private final ProgressListener progress;

    public Archiver(FreezerConfig config, Source source, ObjectStorage storage, ManifestStore manifests,
                    ArchiveFormat format, Notifier notifier, Clock clock, StopSignal stop, Path tempDir) {
        this(config, source, storage, manifests, format, notifier, clock, stop, tempDir, ProgressListener.NONE);
    }

    public Archiver(FreezerConfig config, Source source, ObjectStorage storage, ManifestStore manifests,
                    ArchiveFormat format, Notifier notifier, Clock clock, StopSignal stop, Path tempDir,
                    ProgressListener progress) {
        this.config = config;
        this.source = source;
        this.storage = storage;
        this.manifests = manifests;
        this.format = format;
        this.notifier = notifier;
        this.clock = clock;
        this.stop = stop;
        this.tempDir = tempDir;
        this.progress = progress;
    }

    public RunReport run(RunOptions options) {
        List<TableConfig> tables = config.select(options.table().orElse(null));
        RunReport report = new RunReport();
        // Each table in progress holds one pooled connection for its lock, so more parallel tables
        // than connections would only queue for the pool and time out.
        int threads = Math.min(Math.min(config.global().maxTableConcurrency(), config.database().poolSize()),
                tables.size());
        // What the pool holds beyond one connection per table in progress: a table's delete may
        // take one of them for a second session, never one another table is waiting for.
        Semaphore spareSessions = new Semaphore(Math.max(0, config.database().poolSize() - threads));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "pg-freezer-table");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            // The caller's context (the run id) belongs on the table threads' lines too.
            Map<String, String> context = MDC.getCopyOfContextMap();
            for (TableConfig table : tables) {
                running.add(pool.submit(() -> {
                    if (context != null) {
                        MDC.setContextMap(context);
                    }
                    archiveTable(table, options, report, spareSessions);
                }));
            }
            // Every table is awaited before anything is rethrown: stopping early would interrupt
            // the tables still running in the middle of a batch.
            Throwable first = null;
            for (Future<?> f : running) {
                Throwable t = await(f);
                if (first == null) {
                    first = t;
                } else if (t != null) {
                    first.addSuppressed(t);
                }
            }
            if (first != null) {
                throw new IllegalStateException(first);
            }
        } finally {
            pool.shutdownNow();
        }
        return report;
    }

    /** What escaped a table's own handling (only an {@link Error} can), or null. */
    private static Throwable await(Future<?> f) {
        try {
            f.get();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FreezerException("interrupted while waiting for tables to finish", e);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private void archiveTable(TableConfig table, RunOptions options, RunReport report, Semaphore spareSessions) {
        MDC.put("table", table.qualifiedName());
        GlobalConfig.Retry retry = config.global().retry();
        SourceTable src = null;
        TableTally tally = new TableTally(System.nanoTime());
        Instant cutoff = null;
        try {
            List<WindowPlanner.Planned> plan = null;
            for (int attempt = 1; plan == null; attempt++) {
                try {
                    Optional<SourceTable> opened = source.open(table);
                    if (opened.isEmpty()) {
                        log.atWarn().addKeyValue(LogEvents.KEY, LogEvents.TABLE_BUSY)
                                .log("table is busy: another pg-freezer process holds its lock; skipping it this run");
                        report.busy(table.qualifiedName());
                        return;
                    }
                    src = opened.get();
                    if (attempt == 1) {
                        warnAboutRetention(table, src);
                    }
                    WindowPlanner planner = new WindowPlanner(table, clock.instant(), options.replayFrom(),
                            options.replayTo());
                    plan = planner.plan(src, manifests.list(table.name()));
                    for (WindowPlanner.Restored r : planner.restored()) {
                        String why = r.manifest().restore().finished()
                                ? "its rows were restored from the archive at "
                                        + IsoInstants.format(r.manifest().restore().at()) + " and are archived already"
                                : "a restore of it was interrupted; run `pg-freezer restore -t " + table.name()
                                        + " --from " + r.window().start() + " --to " + r.window().end()
                                        + "` to settle it";
                        log.warn("window {} is not archived again: {}", r.window(), why);
                        report.restored(table.qualifiedName() + " " + r.window() + ": " + why);
                    }
                    cutoff = planner.cutoff();
                    log.atInfo().addKeyValue(LogEvents.KEY, LogEvents.TABLE_STARTED).addKeyValue("windows", plan.size())
                            .log("{} batch(es) to process, windows ending at or before {}", plan.size(),
                                    IsoInstants.format(planner.cutoff()));
                } catch (FreezerException e) {
                    src = closeQuietly(src, e);
                    if (!e.isTransient() || attempt >= retry.attempts() || !pause(retry, attempt, e.getMessage())) {
                        throw e;
                    }
                }
            }
            progress.tablePlanned(table.qualifiedName(), plan.size());
            for (WindowPlanner.Planned planned : plan) {
                if (stop.requested()) {
                    log.info("stop requested: leaving the remaining windows for the next run");
                    break;
                }
                WindowPlanner.Planned p = planned;
                MDC.put("batch_id", p.manifest().batchId());
                MDC.put("window", p.window().toString());
                MDC.put("window_start", IsoInstants.format(p.window().start()));
                progress.batchStarted(table.qualifiedName(), p.window());
                BatchOutcome outcome = runBatch(table, src, spareSessions, p, options);
                for (int attempt = 1; outcome.result() == BatchOutcome.Result.TRANSIENT && attempt < retry.attempts();
                        attempt++) {
                    if (!pause(retry, attempt, outcome.message())) {
                        break;
                    }
                    // The error may have cost the session, and with it the table's lock: take a new
                    // session, which takes the lock again, before touching the table.
                    src = closeQuietly(src, null);
                    Optional<SourceTable> reopened = source.open(table);
                    if (reopened.isEmpty()) {
                        log.atWarn().addKeyValue(LogEvents.KEY, LogEvents.TABLE_BUSY)
                                .log("another pg-freezer process took the table's lock while this one was retrying; "
                                        + "leaving the table to it");
                        report.busy(table.qualifiedName());
                        report.add(outcome);
                        return;
                    }
                    src = reopened.get();
                    p = resumePoint(p);
                    outcome = runBatch(table, src, spareSessions, p, options);
                }
                report.add(outcome);
                tally.add(outcome);
                progress.batchFinished(outcome);
                MDC.remove("batch_id");
                MDC.remove("window");
                MDC.remove("window_start");
                if (outcome.result() == BatchOutcome.Result.ERROR || outcome.result() == BatchOutcome.Result.TRANSIENT) {
                    // Later windows wait: the problem is not this batch's data but the database or storage.
                    report.tableError(table.qualifiedName(), outcome.message(),
                            outcome.result() == BatchOutcome.Result.TRANSIENT);
                    break;
                }
            }
            tally.log();
            measureBacklog(table, src, cutoff, plan.size() - tally.done, report);
        } catch (FreezerException e) {
            log.atError().addKeyValue(LogEvents.KEY, LogEvents.TABLE_FAILED).log("table failed: {}", e.getMessage());
            report.tableError(table.qualifiedName(), e.getMessage(), e.isTransient());
        } catch (RuntimeException e) {
            // A bug or an input nobody foresaw, in this table only: the other tables of the run
            // still finish, and this one resumes from its saved state on the next run.
            String message = "unexpected error (" + e.getClass().getName() + ")"
                    + (e.getMessage() == null ? "" : ": " + FreezerException.oneLine(e.getMessage()));
            log.atError().addKeyValue(LogEvents.KEY, LogEvents.TABLE_FAILED)
                    .log("table failed with an {} (LOG_LEVEL=debug with PG_FREEZER_DEBUG=1 logs its stack trace)", message);
            log.debug("stack trace of the unexpected error in table {}", table.qualifiedName(), e);
            report.tableError(table.qualifiedName(), message);
        } finally {
            closeQuietly(src, null);
            MDC.clear();
        }
    }

    /**
     * One count/min statement in the table's own session, after its windows: a monitoring figure,
     * so a failure here is a warning and never fails the table.
     */
    private static void measureBacklog(TableConfig table, SourceTable src, Instant cutoff, long windowsLeft,
                                       RunReport report) {
        if (src == null || cutoff == null) {
            return;
        }
        try {
            // Rows from the start of the window that holds the cutoff on are in a window still open.
            EligibleRows left = src.eligibleRows(Window.floor(cutoff, table.partitionBy()));
            report.backlog(table.qualifiedName(), new TableBacklog(windowsLeft, left.rows(), left.oldest()));
        } catch (RuntimeException e) {
            log.warn("could not measure the backlog for the metrics: {}", e.getMessage());
        }
    }

    /**
     * What one table's batches came to in this run: the one line a terminal shows per table
     * ({@code table_done}), where the per-batch lines are details.
     */
    private static final class TableTally {
        private final long started;
        private int done;
        private int failed;
        private int skipped;
        private int dryRun;
        private long rows;
        private long bytes;

        TableTally(long started) {
            this.started = started;
        }

        void add(BatchOutcome outcome) {
            switch (outcome.result()) {
                case DONE -> done++;
                case FAILED -> failed++;
                case SKIPPED_FAILED -> skipped++;
                case DRY_RUN -> dryRun++;
                case ERROR, TRANSIENT -> {
                    // Reported on their own line, and the table stops there.
                }
            }
            rows += outcome.rows();
            bytes += outcome.bytes();
        }

        void log() {
            double seconds = (System.nanoTime() - started) / 1e9;
            var line = log.atInfo().addKeyValue(LogEvents.KEY, LogEvents.TABLE_DONE).addKeyValue("windows", done + dryRun)
                    .addKeyValue("rows", rows).addKeyValue("bytes", bytes).addKeyValue("seconds", seconds)
                    .addKeyValue("failed", failed).addKeyValue("skipped", skipped);
            if (dryRun > 0) {
                line.log("dry run: {} window(s), {} rows would be archived ({} s)", dryRun, String.format("%,d", rows),
                        String.format("%.1f", seconds));
            } else {
                line.log("{} window(s) archived, {} rows, {} bytes in {} s; {} failed, {} skipped as FAILED", done,
                        String.format("%,d", rows), String.format("%,d", bytes), String.format("%.1f", seconds),
                        failed, skipped);
            }
        }
    }

    private BatchOutcome runBatch(TableConfig table, SourceTable src, Semaphore spareSessions, WindowPlanner.Planned p,
                                  RunOptions options) {
        BatchRunner runner = runner(table, src, spareSessions);
        return options.dryRun() ? runner.dryRun(p) : runner.run(p, options.force());
    }

    private BatchRunner runner(TableConfig table, SourceTable src, Semaphore spareSessions) {
        return new BatchRunner(table, src, storage, manifests, format, new Verifier(storage, format, tempDir),
                notifier, clock, config.global().deleteChunkRows(), progress, pruner(table, src, spareSessions));
    }

    private Pruner pruner(TableConfig table, SourceTable src, Semaphore spareSessions) {
        Pruner rows = new RowDeletePruner(src, manifests, clock, spareSessions);
        return prunesPartitions(table, src) ? new PartitionPruner(table, src, manifests, clock, rows) : rows;
    }

    private static boolean prunesPartitions(TableConfig table, SourceTable src) {
        // A filter keeps rows it excludes in the table, and a partition holding any cannot go whole.
        return table.retention() != Retention.DELETE && src.isPartitioned() && table.extraFilters().isEmpty();
    }

    /** Said once per table and run, before any window: the configured retention cannot apply. */
    private static void warnAboutRetention(TableConfig table, SourceTable src) {
        if (table.retention() == Retention.DELETE || prunesPartitions(table, src)) {
            return;
        }
        log.warn("retention: {} applies to partitioned tables only{}; rows of {} are deleted row by row",
                table.retention().yamlName(), src.isPartitioned() ? " without extra_filters (the filter keeps rows "
                        + "it excludes in the partitions)" : " and this table is not partitioned", table.qualifiedName());
    }

    /**
     * Where a batch that stopped on a transient error picks up: its manifest as storage now holds
     * it (the steps before the error were saved), or the new batch it was if nothing was saved.
     */
    private WindowPlanner.Planned resumePoint(WindowPlanner.Planned p) {
        return manifests.load(p.manifest().table(), p.manifest().batchId())
                .map(m -> new WindowPlanner.Planned(p.window(), m, false))
                .orElse(p);
    }

    /** Waits before the next attempt; false when a stop was requested meanwhile. */
    private boolean pause(GlobalConfig.Retry retry, int attempt, String cause) {
        Duration delay = retry.delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
        log.atWarn().addKeyValue(LogEvents.KEY, LogEvents.RETRY).addKeyValue("attempt", attempt)
                .log("attempt {} of {} failed on a transient error, retrying in {} ms: {}", attempt, retry.attempts(),
                        delay.toMillis(), cause);
        long until = System.nanoTime() + delay.toNanos();
        while (System.nanoTime() < until) {
            if (stop.requested()) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stop.requested();
    }

    private static SourceTable closeQuietly(SourceTable src, Exception primary) {
        if (src != null) {
            try {
                src.close();
            } catch (RuntimeException e) {
                // A session that broke cannot release its lock; the server drops it with the connection.
                log.debug("closing the table session failed: {}", e.getMessage());
                if (primary != null) {
                    primary.addSuppressed(e);
                }
            }
        }
        return null;
    }
}
