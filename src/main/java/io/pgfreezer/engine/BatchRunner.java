package io.pgfreezer.engine;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.format.ArchiveFormat;
import io.pgfreezer.format.ArchivedRows;
import io.pgfreezer.format.ArchiveWriter;
import io.pgfreezer.format.FormatException;
import io.pgfreezer.format.WrittenFile;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.notify.BatchFailure;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.ExportResult;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.source.UnconvertibleValueException;
import io.pgfreezer.source.WindowStats;
import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectNotFoundException;
import io.pgfreezer.storage.ObjectOutput;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.StorageException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walks one batch through the state machine, saving the manifest before acting on each new
 * state, so a process killed at any point resumes from the last saved state:
 * <pre>PENDING → EXPORTING → UPLOADED → VERIFIED → DELETING → DONE</pre>
 * EXPORTING streams the window into a new object (re-exporting is always safe: nothing is
 * deleted before VERIFIED). DELETING hands the batch to the table's {@link Pruner}: the guarded
 * row delete, or the removal of a whole partition, which may leave the batch DELETING until the
 * partition's other windows are verified too.
 */
final class BatchRunner {
    private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

    private final TableConfig table;
    private final SourceTable source;
    private final ObjectStorage storage;
    private final ManifestStore manifests;
    private final ArchiveFormat format;
    private final Verifier verifier;
    private final Notifier notifier;
    private final Clock clock;
    private final int chunkRows;
    private final ProgressListener progress;
    private final Pruner pruner;

    BatchRunner(TableConfig table, SourceTable source, ObjectStorage storage, ManifestStore manifests,
                ArchiveFormat format, Verifier verifier, Notifier notifier, Clock clock, int chunkRows,
                ProgressListener progress, Pruner pruner) {
        this.table = table;
        this.source = source;
        this.storage = storage;
        this.manifests = manifests;
        this.format = format;
        this.verifier = verifier;
        this.notifier = notifier;
        this.clock = clock;
        this.chunkRows = chunkRows;
        this.progress = progress;
        this.pruner = pruner;
    }

    BatchOutcome dryRun(WindowPlanner.Planned p) {
        BatchManifest m = p.manifest();
        WindowStats stats = source.stats(p.window().start(), p.window().end());
        String what = p.isNew() ? (m.isLate() ? "new late rows" : "new") : "resume from " + m.status();
        String prune = pruner.describe(p.window());
        log.atInfo().addKeyValue(LogEvents.KEY, LogEvents.BATCH_DRY_RUN).addKeyValue("rows", stats.rows())
                .addKeyValue("bytes", stats.bytes())
                .log("dry run: would archive {} rows ({} bytes in PostgreSQL) of {} into {} ({}); then {}",
                        stats.rows(), stats.bytes(), p.window(), storage.uri(m.parquetPath()), what, prune);
        what = what + "; then " + prune;
        return outcome(m, p.window(), BatchOutcome.Result.DRY_RUN, stats.rows(), stats.bytes(), new Timings(), what);
    }

    BatchOutcome run(WindowPlanner.Planned p, boolean force) {
        BatchManifest m = p.manifest();
        Window w = p.window();
        Timings t = new Timings();
        if (m.status() == BatchStatus.FAILED && !force) {
            log.atWarn().addKeyValue(LogEvents.KEY, LogEvents.BATCH_SKIPPED)
                    .log("batch is FAILED and is skipped until retried with --force: {}", m.error());
            return outcome(m, w, BatchOutcome.Result.SKIPPED_FAILED, 0, 0, t, m.error());
        }
        BatchManifest earlier = m.status() == BatchStatus.FAILED ? m : null;
        boolean resumedDeleting = !p.isNew() && m.status() == BatchStatus.DELETING;
        try {
            if (earlier != null) {
                m = save(retry(m));
            } else if (p.isNew()) {
                m = save(m);
            }
            while (m.status() != BatchStatus.DONE) {
                boolean pruning = m.status() == BatchStatus.DELETING;
                m = switch (m.status()) {
                    case PENDING -> save(m.transition(BatchStatus.EXPORTING));
                    case EXPORTING -> t.time(Phase.EXPORT, m, x -> export(x, earlier));
                    case UPLOADED -> t.time(Phase.VERIFY, m, this::verify);
                    case VERIFIED -> save(m.transition(BatchStatus.DELETING));
                    case DELETING -> t.time(Phase.DELETE, m, x -> pruner.prune(x, resumedDeleting));
                    case DONE, FAILED -> throw new IllegalStateException("unreachable: " + current(m));
                };
                if (pruning && m.status() == BatchStatus.DELETING) {
                    // The pruner left it waiting for its partition's other windows.
                    log.info("archived {} rows of {} (verified); they leave PostgreSQL with partition {} once its other "
                            + "windows are archived too", m.rowCount(), w, m.prune() == null ? "?" : m.prune().partition());
                    return outcome(m, w, BatchOutcome.Result.PRUNE_PENDING, m.rowCount() == null ? 0 : m.rowCount(),
                            m.parquetSizeBytes() == null ? 0 : m.parquetSizeBytes(), t, null);
                }
            }
            long bytes = m.parquetSizeBytes() == null ? 0 : m.parquetSizeBytes();
            log.atInfo().addKeyValue(LogEvents.KEY, LogEvents.BATCH_DONE).addKeyValue("rows", m.rowCount())
                    .addKeyValue("bytes", bytes).addKeyValue("seconds", t.totalSeconds())
                    .log("archived {} rows of {} ({} bytes, verified) and removed them from PostgreSQL ({})",
                            m.rowCount(), w, bytes, m.prunedBy() == null ? BatchManifest.PRUNED_ROWS : m.prunedBy());
            return outcome(m, w, BatchOutcome.Result.DONE, m.rowCount(), m.parquetSizeBytes() == null ? 0 : m.parquetSizeBytes(), t, null);
        } catch (GuardTripped e) {
            return fail(e.manifest(), w, e.getMessage(), t);
        } catch (BatchFailedException | UnconvertibleValueException | FormatException | ObjectNotFoundException e) {
            return fail(m, w, e.getMessage(), t);
        } catch (FreezerException e) {
            if (e.isTransient()) {
                log.atWarn().addKeyValue(LogEvents.KEY, LogEvents.BATCH_STOPPED)
                        .log("batch stopped in {} by a transient error: {}", m.status(), e.getMessage());
                return outcome(m, w, BatchOutcome.Result.TRANSIENT, 0, 0, t, e.getMessage());
            }
            log.atError().addKeyValue(LogEvents.KEY, LogEvents.BATCH_STOPPED)
                    .log("batch stopped in {} and resumes on the next run: {}", m.status(), e.getMessage());
            return outcome(m, w, BatchOutcome.Result.ERROR, 0, 0, t, e.getMessage());
        } catch (RuntimeException e) {
            if (m.status() == BatchStatus.DELETING) {
                // The saved manifest, not this copy, knows which chunks are gone: resume from it.
                log.atError().addKeyValue(LogEvents.KEY, LogEvents.BATCH_STOPPED).setCause(e)
                        .log("batch stopped in DELETING on an unexpected error and resumes on the next run");
                return outcome(m, w, BatchOutcome.Result.ERROR, 0, 0, t, e.toString());
            }
            // Not a database or storage outage, so retrying on its own would only repeat it; the
            // batch fails with what happened (nothing was deleted) and the other tables go on.
            log.error("batch FAILED on an unexpected error", e);
            return fail(m, w, "unexpected error in " + m.status() + ": " + e, t);
        }
    }

    private static String current(BatchManifest m) {
        return m.batchId() + " " + m.status();
    }

    /**
     * {@code --force} on a FAILED batch. A batch that failed before any row was deleted starts
     * over from PENDING, as in the original; one that failed part-way through deleting resumes
     * the guarded delete (see {@link BatchManifest#forceResumeDeletion()}).
     */
    private BatchManifest retry(BatchManifest failed) {
        if (failed.chunksDeleted() > 0) {
            log.warn("--force: {} of {} chunks were already deleted; resuming the guarded delete, not re-exporting",
                    failed.chunksDeleted(), failed.deleteChunks().size());
            return failed.forceResumeDeletion();
        }
        log.info("--force: resetting FAILED batch to PENDING (was: {})", failed.error());
        return failed.forceReset();
    }

    private BatchManifest save(BatchManifest m) {
        manifests.save(m);
        return m;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Streams the window into a new object. An object already under the key is never replaced:
     * it may be the only copy of rows a lost or stale manifest no longer accounts for.
     *
     * @param failedAttempt the FAILED manifest a {@code --force} retry started from, or null
     */
    private BatchManifest export(BatchManifest m, BatchManifest failedAttempt) {
        String key = m.parquetPath();
        discardLeftovers(key);
        Optional<ObjectInfo> occupant = storage.stat(key);
        if (occupant.isPresent()) {
            if (!isUnusedAttempt(failedAttempt, occupant.get())) {
                return adopt(m, occupant.get());
            }
            moveAside(m, key);
        }
        ArchivedRows archived = null;
        if (!m.isLate()) {
            refuseUnaccountedFiles(m, key);
        } else {
            archived = archivedRows(m, key);
        }
        ObjectOutput out = storage.create(key);
        boolean committed = false;
        try {
            ExportResult result;
            WrittenFile file = null;
            try (ArchiveWriter writer = format.newWriter(out, source.schema().arrowSchema(), footer(m))) {
                result = source.export(m.windowStart(), m.windowEnd(), chunkRows, archived, batch -> {
                    writer.write(batch);
                    progress.rowsExported(table.qualifiedName(), batch.getRowCount(), memorySize(batch));
                });
                if (result.rows() > 0) {
                    file = writer.finish(result.closingMetadata());
                }
            }
            if (result.rows() == 0 && result.alreadyArchived() > 0) {
                // Every row is in the archive already: no object, but the chunks, so the guarded
                // delete removes exactly those rows and the window stops coming back.
                log.warn("all {} row(s) in {} are in the archive already; none is archived again, and they are "
                        + "deleted from PostgreSQL under the guard", result.alreadyArchived(), m.partition());
                return save(m.withExport(0, null, 0, null, result.chunks(), now()).transition(BatchStatus.UPLOADED));
            }
            if (result.rows() == 0) {
                // Empty windows need no object; the manifest records that nothing was there.
                return save(m.withEmptyExport(now()).withSnapshotXmin(result.snapshotXmin())
                        .transition(BatchStatus.UPLOADED));
            }
            if (result.alreadyArchived() > 0) {
                log.warn("{} row(s) in {} are in the archive already and were skipped; {} new row(s) go to {}, and "
                        + "both are deleted from PostgreSQL under the guard", result.alreadyArchived(), m.partition(),
                        result.rows(), storage.uri(key));
            }
            if (file.rows() != result.rows()) {
                throw new BatchFailedException("export wrote " + file.rows() + " rows to " + storage.uri(key)
                        + " but read " + result.rows() + " from PostgreSQL");
            }
            ObjectInfo stored = out.commit();
            committed = true;
            if (stored.size() != file.bytes()) {
                throw new BatchFailedException("storage holds " + stored.size() + " bytes of " + storage.uri(key)
                        + ", the writer produced " + file.bytes());
            }
            log.debug("exported {} rows to {} ({} bytes)", result.rows(), storage.uri(key), file.bytes());
            return save(m.withExport(result.rows(), key, file.bytes(), file.sha256Hex(), result.chunks(), now())
                    .withValueDigest(result.valueDigest()).withSnapshotXmin(result.snapshotXmin())
                    .transition(BatchStatus.UPLOADED));
        } finally {
            if (!committed) {
                out.abort();
            }
        }
    }

    /**
     * The rows the window's partition already holds, read back from storage: every object a query
     * engine reads for the partition (the window's data file and its late files) other than the
     * key this batch writes. Rows PostgreSQL holds that match one of them are not archived again.
     * A window whose archive cannot be compared row by row (files of another tool or an earlier
     * column layout, or more rows than fit in memory) fails the batch rather than risk archiving
     * a row twice.
     */
    private ArchivedRows archivedRows(BatchManifest m, String key) {
        String directory = ArchiveLayout.directoryOf(key);
        List<ObjectInfo> present = storage.list(directory).stream()
                .filter(o -> !o.key().equals(key) && o.key().endsWith(format.extension())
                        && o.key().indexOf('/', directory.length()) < 0)
                .toList();
        ArchivedRows archived = ArchivedRows.forHeap();
        if (present.isEmpty()) {
            return archived;
        }
        List<String> columns = new java.util.ArrayList<>();
        List<String> wires = new java.util.ArrayList<>();
        for (org.apache.arrow.vector.types.pojo.Field field : source.schema().arrowSchema().getFields()) {
            columns.add(field.getName());
            wires.add(field.getMetadata().get(io.pgfreezer.format.ArchiveMetadata.WIRE));
        }
        for (ObjectInfo o : present) {
            try {
                long rows = verifier.addArchivedRows(o.key(), columns, wires, archived);
                log.debug("{} holds {} archived row(s) of the window", storage.uri(o.key()), rows);
            } catch (ArchivedRows.CapacityExceededException e) {
                throw new BatchFailedException("rows already archived cannot be told apart from new ones in "
                        + m.partition() + ": " + e.getMessage() + ", so nothing was archived or deleted. Run with a "
                        + "larger heap (PG_FREEZER_JAVA_OPTS=-Xmx...) and --force");
            } catch (FormatException e) {
                throw new BatchFailedException("rows already archived cannot be told apart from new ones in "
                        + m.partition() + ": " + e.getMessage() + "; nothing was archived or deleted, so no row is "
                        + "archived twice. Compare the window's rows with the archive (pg-freezer fetch), delete from "
                        + "PostgreSQL the ones already archived or move new ones out of the window, then run with --force");
            }
        }
        log.info("{} row(s) in {} object(s) of {} are archived already; rows PostgreSQL holds that match them are "
                + "not archived again", archived.size(), present.size(), m.partition());
        return archived;
    }

    /**
     * Whether the object under the key is the file a FAILED attempt of this batch wrote, with
     * every one of its rows still in PostgreSQL: the attempt's own manifest (read and replaced
     * only by conditional writes) says nothing was deleted and records the object's size, and
     * every chunk it archived still holds at least as many rows. Only then may the batch export
     * again, and even then the object is moved aside, not removed.
     */
    private boolean isUnusedAttempt(BatchManifest failed, ObjectInfo occupant) {
        if (failed == null || !occupant.key().equals(failed.parquetPath()) || failed.chunksDeleted() != 0
                || failed.deletedAt() != null || failed.parquetSha256() == null || failed.deleteChunks().isEmpty()
                || failed.parquetSizeBytes() == null || failed.parquetSizeBytes() != occupant.size()) {
            return false;
        }
        List<DeleteChunk> chunks = failed.deleteChunks();
        List<Long> counts = source.count(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            if (counts.get(i) < chunks.get(i).rows()) {
                return false;
            }
        }
        return true;
    }

    /** Keeps an earlier attempt's object out of the partition, so readers never see its rows twice. */
    private void moveAside(BatchManifest m, String key) {
        String target = ArchiveLayout.supersededKey(m.table(), m.batchId(), key, now());
        long copied;
        try (InputStream in = storage.open(key); ObjectOutput out = storage.create(target)) {
            in.transferTo(out);
            copied = out.commit().size();
        } catch (IOException e) {
            throw new StorageException("moving the earlier attempt " + storage.uri(key) + " to "
                    + storage.uri(target) + " failed: " + e.getMessage(), e);
        }
        long original = storage.stat(key).map(ObjectInfo::size).orElse(-1L);
        if (copied != original) {
            throw new StorageException("moving the earlier attempt " + storage.uri(key) + " to " + storage.uri(target)
                    + " copied " + copied + " of " + original + " bytes; nothing was removed");
        }
        storage.delete(key);
        log.warn("kept the failed attempt's object as {} (its rows are all still in PostgreSQL; remove it once "
                + "inspected) and export the window again", storage.uri(target));
    }

    /**
     * An object already under the key with no manifest state that accounts for it: a crash
     * between publishing and recording it, a manifest lost or put back stale. It is read back
     * whole and taken over when it is this batch's file and PostgreSQL agrees; anything else
     * stops the batch with the object untouched.
     */
    private BatchManifest adopt(BatchManifest m, ObjectInfo occupant) {
        String key = occupant.key();
        String uri = storage.uri(key);
        Verifier.Inspection found;
        try {
            found = verifier.inspect(key);
        } catch (FormatException e) {
            throw new BatchFailedException(uri + " already exists and does not decode (" + e.getMessage()
                    + "); it is kept untouched. " + OCCUPIED_REMEDY);
        }
        Map<String, String> footer = found.footer();
        String expected = table.qualifiedName() + " batch " + m.batchId() + " [" + IsoInstants.format(m.windowStart())
                + ", " + IsoInstants.format(m.windowEnd()) + ")";
        String written = footer.get("pg_freezer.table") + " batch " + footer.get("pg_freezer.batch_id") + " ["
                + footer.get("pg_freezer.window_start") + ", " + footer.get("pg_freezer.window_end") + ")";
        if (!expected.equals(written)) {
            throw new BatchFailedException(uri + " already exists and holds " + found.rows() + " rows written for "
                    + written + ", not for " + expected + "; it is kept untouched. " + OCCUPIED_REMEDY);
        }
        DeleteChunk window = new DeleteChunk(m.windowStart(), m.windowEnd(), found.rows());
        long inPostgres = source.count(List.of(window)).get(0);
        BatchManifest exported = m.withExport(found.rows(), key, found.size(), found.sha256Hex(), List.of(window), now());
        if (inPostgres == found.rows()) {
            log.warn("{} already holds this batch's {} rows and PostgreSQL holds as many: taking it over as the "
                    + "export (no manifest recorded it)", uri, found.rows());
            return save(exported.transition(BatchStatus.UPLOADED));
        }
        if (inPostgres == 0) {
            // Every archived row is gone from PostgreSQL: the batch was archived and deleted, and
            // its manifest was lost or replaced by an older one. The object is the only copy.
            log.warn("{} holds this batch's {} rows and PostgreSQL holds none of the window: recording the batch "
                    + "as DONE (its manifest had been lost or was stale)", uri, found.rows());
            // The read-back above decoded every value and hashed every byte: that is the verification.
            BatchManifest uploaded = save(exported.transition(BatchStatus.UPLOADED));
            BatchManifest deleting = save(save(uploaded.withVerifiedAt(now()).transition(BatchStatus.VERIFIED))
                    .transition(BatchStatus.DELETING).withChunksDeleted(1));
            return save(deleting.withDeletedAt(now()).transition(BatchStatus.DONE));
        }
        throw new BatchFailedException(uri + " already exists with " + found.rows() + " archived rows of this batch "
                + "that no manifest accounts for, and PostgreSQL now holds " + inPostgres + " rows in the window, so "
                + "the object may be the only copy of rows deleted earlier; it is kept untouched. " + OCCUPIED_REMEDY);
    }

    private static final String OCCUPIED_REMEDY = "Compare it with the table (pg-freezer fetch reads it); "
            + "if it is needed, restore its manifest; if not, move it out of the archive, then run with --force";

    /** A window's first file must be alone in its partition; anything there is unexplained. */
    private void refuseUnaccountedFiles(BatchManifest m, String key) {
        List<ObjectInfo> present = storage.list(ArchiveLayout.directoryOf(key));
        if (!present.isEmpty()) {
            // Named by an object in it: a directory is no key, and only objects have URIs.
            throw new BatchFailedException("partition " + ArchiveLayout.directoryOf(key) + " already holds "
                    + present.size() + " object(s) (" + storage.uri(present.get(0).key()) + (present.size() > 1 ? ", ..." : "")
                    + ") that no manifest of this window accounts for; refusing to add " + key + " beside them. "
                    + OCCUPIED_REMEDY);
        }
    }

    /**
     * We hold the table's lock, so unfinished uploads of this key belong to a writer that died.
     * They are invisible to readers and only cost space, so failing to remove them is a warning.
     */
    private void discardLeftovers(String key) {
        try {
            int leftovers = storage.discardUnfinished(key);
            if (leftovers > 0) {
                log.info("discarded {} unfinished upload(s) of {} left by an interrupted run", leftovers, storage.uri(key));
            }
        } catch (StorageException e) {
            log.warn("could not discard unfinished uploads of {}: {}", storage.uri(key), e.getMessage());
        }
    }

    private static long memorySize(VectorSchemaRoot batch) {
        long bytes = 0;
        for (FieldVector v : batch.getFieldVectors()) {
            bytes += v.getBufferSize();
        }
        return bytes;
    }

    private Map<String, String> footer(BatchManifest m) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pg_freezer.table", table.qualifiedName());
        meta.put("pg_freezer.batch_id", m.batchId());
        meta.put("pg_freezer.window_start", IsoInstants.format(m.windowStart()));
        meta.put("pg_freezer.window_end", IsoInstants.format(m.windowEnd()));
        meta.put("pg_freezer.timestamp_column", table.timestampColumn());
        return meta;
    }

    private BatchManifest verify(BatchManifest m) {
        if (m.rowCount() != null && m.rowCount() > 0) {
            verifier.verify(m);
            log.debug("verified {}: size, SHA-256 and {} decoded rows match", storage.uri(m.parquetPath()), m.rowCount());
        }
        return save(m.withVerifiedAt(now()).transition(BatchStatus.VERIFIED));
    }

    private BatchOutcome fail(BatchManifest m, Window w, String message, Timings t) {
        log.atError().addKeyValue(LogEvents.KEY, LogEvents.BATCH_FAILED)
                .log("batch FAILED in {}: {}", m.status(), message);
        BatchManifest failed = m.status().isTerminal() ? m : m.failed(message);
        manifests.save(failed);
        notifier.batchFailed(new BatchFailure(table.name(), m.batchId(), IsoInstants.format(m.windowStart()),
                IsoInstants.format(m.windowEnd()), message));
        return outcome(failed, w, BatchOutcome.Result.FAILED, 0, 0, t, message);
    }

    private BatchOutcome outcome(BatchManifest m, Window w, BatchOutcome.Result r, long rows, long bytes, Timings t,
                                 String message) {
        return new BatchOutcome(table.qualifiedName(), m.batchId(), w, r, rows, bytes,
                t.get(Phase.EXPORT), t.get(Phase.VERIFY), t.get(Phase.DELETE), message);
    }

    enum Phase { EXPORT, VERIFY, DELETE }

    /** Phase durations, for the metrics. */
    private static final class Timings {
        private final Map<Phase, Duration> spent = new java.util.EnumMap<>(Phase.class);

        BatchManifest time(Phase phase, BatchManifest m, java.util.function.UnaryOperator<BatchManifest> step) {
            long start = System.nanoTime();
            try {
                return step.apply(m);
            } finally {
                spent.merge(phase, Duration.ofNanos(System.nanoTime() - start), Duration::plus);
            }
        }

        Duration get(Phase phase) {
            return spent.getOrDefault(phase, Duration.ZERO);
        }

        double totalSeconds() {
            return spent.values().stream().mapToLong(Duration::toNanos).sum() / 1e9;
        }
    }
}
