package io.pgfreezer.engine;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.source.ChunkDeleter;
import io.pgfreezer.source.SourceTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The guarded chunked row delete: one recorded chunk per transaction, committed only when the
 * rows deleted equal the rows archived for that chunk, and only once the chunks before it are
 * recorded. With a connection to spare it deletes on two sessions, the next chunk's DELETE
 * running while the one before it is recorded and committed.
 */
final class RowDeletePruner implements Pruner {
    private static final Logger log = LoggerFactory.getLogger(RowDeletePruner.class);

    private final SourceTable source;
    private final ManifestStore manifests;
    private final Clock clock;
    private final Semaphore spareSessions;

    /**
     * @param spareSessions connections the pool can spare beside the tables in progress; one is
     *                      taken, when free, to delete on a second session
     */
    RowDeletePruner(SourceTable source, ManifestStore manifests, Clock clock, Semaphore spareSessions) {
        this.source = source;
        this.spareSessions = spareSessions;
        this.manifests = manifests;
        this.clock = clock;
    }

    @Override
    public String describe(Window w) {
        return "rows deleted in guarded chunks";
    }

    @Override
    public BatchManifest prune(BatchManifest m, boolean resumed) {
        List<DeleteChunk> chunks = m.deleteChunks();
        if (chunks.isEmpty() && m.rowCount() != null && m.rowCount() > 0) {
            // A batch the original tool left verified carries no chunks: the whole window is one.
            chunks = List.of(new DeleteChunk(m.windowStart(), m.windowEnd(), m.rowCount()));
        }
        try (DeleteLanes lanes = lanes(chunks.size() - m.chunksDeleted())) {
            m = deleteChunks(m, chunks, resumed, lanes);
        }
        // The last chunk is recorded together with the end state.
        return save(m.withDeletedAt(now()).withPrunedBy(BatchManifest.PRUNED_ROWS).transition(BatchStatus.DONE));
    }

    /** The pre-check of every chunk, then the chunks' deletes; returns the manifest with all of them recorded but the last. */
    private BatchManifest deleteChunks(BatchManifest m, List<DeleteChunk> chunks, boolean resumed, DeleteLanes lanes) {
        // Check every chunk in one snapshot before deleting any, so the usual case of a row that
        // arrived late fails the batch with nothing deleted and a plain --force retry is safe.
        List<Long> counts = lanes.count(chunks.subList(m.chunksDeleted(), chunks.size()));
        int first = m.chunksDeleted();
        if (resumed && !counts.isEmpty() && counts.get(0) == 0 && chunks.get(first).rows() > 0) {
            // The previous run committed this chunk's delete and died before recording it. Record
            // it now, before anything can fail: a batch that later fails must never look as if
            // nothing was deleted, or --force would re-export a window missing these rows.
            log.info("chunk {} of {} was deleted by the interrupted run", first + 1, chunks.size());
            m = save(m.withChunksDeleted(first + 1));
        }
        for (int i = m.chunksDeleted(); i < chunks.size(); i++) {
            DeleteChunk c = chunks.get(i);
            long found = counts.get(i - first);
            if (found != c.rows()) {
                throw new GuardTripped(m, guardMessage(c, found, m.chunksDeleted(), "nothing was deleted in this run"));
            }
        }
        // Each chunk's commit waits until the chunks before it are recorded, so at most one
        // committed chunk is ever missing from the saved manifest (what the resume above relies
        // on); the save itself, and with a spare session the next chunk's DELETE, run meanwhile.
        try (ManifestWriter writer = new ManifestWriter(manifests)) {
            int next = m.chunksDeleted();
            while (next < chunks.size() && lanes.hasRoom()) {
                lanes.start(chunks.get(next++));
            }
            for (int i = m.chunksDeleted(); i < chunks.size(); i++) {
                DeleteChunk c = chunks.get(i);
                ChunkDeleter.OpenDelete delete = lanes.next();
                if (delete.rows() != c.rows()) {
                    delete.rollback();
                    writer.awaitSaved();
                    throw new GuardTripped(m, guardMessage(c, delete.rows(), i, "this chunk was rolled back"));
                }
                try {
                    writer.awaitSaved();
                } catch (RuntimeException | Error e) {
                    rollBack(delete, e);
                    throw e;
                }
                delete.commit();
                m = m.withChunksDeleted(i + 1);
                if (i + 1 < chunks.size()) {
                    writer.saveInBackground(m);
                }
                if (next < chunks.size()) {
                    lanes.start(chunks.get(next++));
                }
            }
            writer.awaitSaved();
        }
        return m;
    }

    /** The table's own session, and a second one when there are two chunks or more and one is free. */
    private DeleteLanes lanes(int chunksLeft) {
        if (chunksLeft < 2 || !spareSessions.tryAcquire()) {
            return new DeleteLanes(List.of(source.deleter()), () -> { });
        }
        ChunkDeleter spare;
        try {
            spare = source.spareDeleter();
        } catch (RuntimeException | Error e) {
            spareSessions.release();
            throw e;
        }
        return new DeleteLanes(List.of(source.deleter(), spare), spareSessions::release);
    }

    private static void rollBack(ChunkDeleter.OpenDelete delete, Throwable primary) {
        try {
            delete.rollback();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    static String guardMessage(DeleteChunk c, long found, int chunksAlreadyDeleted, String what) {
        long diff = found - c.rows();
        String delta = diff > 0 ? diff + " more row(s) than were archived (inserted after the export)"
                : (-diff) + " fewer row(s) than were archived (removed after the export)";
        String done = chunksAlreadyDeleted == 0 ? "" : "; " + chunksAlreadyDeleted
                + " earlier chunk(s) were deleted and are in the verified archive";
        return "Delete guard: [" + IsoInstants.format(c.from()) + ", " + IsoInstants.format(c.to()) + ") holds "
                + found + " row(s), the archive has " + c.rows() + ": " + delta + "; " + what + done;
    }

    private BatchManifest save(BatchManifest m) {
        manifests.save(m);
        return m;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
