package io.pgfreezer.engine;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.source.SourceTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The guarded chunked row delete: one recorded chunk per transaction, committed only when the
 * rows deleted equal the rows archived for that chunk.
 */
final class RowDeletePruner implements Pruner {
    private static final Logger log = LoggerFactory.getLogger(RowDeletePruner.class);

    private final SourceTable source;
    private final ManifestStore manifests;
    private final Clock clock;

    RowDeletePruner(SourceTable source, ManifestStore manifests, Clock clock) {
        this.source = source;
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
        // Check every chunk in one snapshot before deleting any, so the usual case of a row that
        // arrived late fails the batch with nothing deleted and a plain --force retry is safe.
        List<Long> counts = source.count(chunks.subList(m.chunksDeleted(), chunks.size()));
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
        // on); the save itself overlaps with the next chunk's DELETE instead of following it.
        try (ManifestWriter writer = new ManifestWriter(manifests)) {
            for (int i = m.chunksDeleted(); i < chunks.size(); i++) {
                DeleteChunk c = chunks.get(i);
                long deleted = source.deleteGuarded(c, n -> n == c.rows(), writer::awaitSaved);
                if (deleted != c.rows()) {
                    writer.awaitSaved();
                    throw new GuardTripped(m, guardMessage(c, deleted, i, "this chunk was rolled back"));
                }
                m = m.withChunksDeleted(i + 1);
                if (i + 1 < chunks.size()) {
                    writer.saveInBackground(m);
                }
            }
            writer.awaitSaved();
        }
        // The last chunk is recorded together with the end state.
        return save(m.withDeletedAt(now()).withPrunedBy(BatchManifest.PRUNED_ROWS).transition(BatchStatus.DONE));
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
