package io.pgfreezer.engine;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.format.ArchiveFormat;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.Source;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.storage.ObjectStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "pg-freezer-table");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (TableConfig table : tables) {
                running.add(pool.submit(() -> archiveTable(table, options, report)));
            }
            for (Future<?> f : running) {
                await(f);
            }
        } finally {
            pool.shutdownNow();
        }
        return report;
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FreezerException("interrupted while waiting for tables to finish", e);
        } catch (ExecutionException e) {
            // archiveTable reports its own failures; anything arriving here is a bug, not an outcome.
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        }
    }

    private void archiveTable(TableConfig table, RunOptions options, RunReport report) {
        MDC.put("table", table.qualifiedName());
        try {
            Optional<SourceTable> opened = source.open(table);
            if (opened.isEmpty()) {
                log.warn("table is busy: another pg-freezer process holds its lock; skipping it this run");
                report.busy(table.qualifiedName());
                return;
            }
            try (SourceTable src = opened.get()) {
                WindowPlanner planner = new WindowPlanner(table, clock.instant(), options.replayFrom(), options.replayTo());
                List<BatchManifest> existing = manifests.list(table.name());
                List<WindowPlanner.Planned> plan = planner.plan(src, existing);
                log.info("{} batch(es) to process, windows ending at or before {}", plan.size(),
                        IsoInstants.format(planner.cutoff()));
                BatchRunner runner = new BatchRunner(table, src, storage, manifests, format,
                        new Verifier(storage, format, tempDir), notifier, clock, config.global().deleteChunkRows(), progress);
                for (WindowPlanner.Planned p : plan) {
                    if (stop.requested()) {
                        log.info("stop requested: leaving the remaining windows for the next run");
                        break;
                    }
                    MDC.put("batch_id", p.manifest().batchId());
                    MDC.put("window", p.window().toString());
                    progress.batchStarted(table.qualifiedName(), p.window());
                    BatchOutcome outcome = options.dryRun() ? runner.dryRun(p) : runner.run(p, options.force());
                    report.add(outcome);
                    progress.batchFinished(outcome);
                    MDC.remove("batch_id");
                    MDC.remove("window");
                    if (outcome.result() == BatchOutcome.Result.ERROR) {
                        // Later windows wait: the problem is not this batch's data but the database or storage.
                        report.tableError(table.qualifiedName(), outcome.message());
                        break;
                    }
                }
            }
        } catch (FreezerException e) {
            log.error("table failed: {}", e.getMessage());
            report.tableError(table.qualifiedName(), e.getMessage());
        } catch (RuntimeException e) {
            // One table's defect must not abandon the tables running beside it.
            log.error("table failed on an unexpected error", e);
            report.tableError(table.qualifiedName(), e.toString());
        } finally {
            MDC.clear();
        }
    }
}
