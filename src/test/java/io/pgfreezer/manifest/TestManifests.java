package io.pgfreezer.manifest;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.BatchIds;
import io.pgfreezer.engine.Window;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Manifests for tests, produced by walking the real state machine so they look like what a run
 * leaves behind, and the original tool's manifests kept as test resources.
 */
public final class TestManifests {
    public static final String ORIGINAL_DONE = "original-manifest-done-e4ad1b2a27064d51.json";
    public static final String ORIGINAL_FAILED = "original-manifest-failed-8eb87d3fb955c751.json";

    private TestManifests() {
    }

    public static byte[] originalBytes(String resource) {
        try (InputStream in = TestManifests.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource missing: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Window daily(String date) {
        return Window.containing(Instant.parse(date + "T00:00:00Z"), Granularity.DAILY);
    }

    public static Window monthly(String date) {
        return Window.containing(Instant.parse(date + "T00:00:00Z"), Granularity.MONTHLY);
    }

    public static BatchManifest pending(String schema, String table, Window window) {
        return BatchManifest.pending(BatchIds.of(schema, table, window), schema, table, window.partition(),
                window.start(), window.end(), table + "/" + window.partition() + "/data.parquet",
                BatchManifest.KIND_WINDOW, null);
    }

    /** A window archived completely: exported, verified and deleted. */
    public static BatchManifest done(String schema, String table, Window window, long rows, long bytes,
                                     Instant exportedAt) {
        return finish(pending(schema, table, window), rows, bytes, exportedAt);
    }

    /** Rows that reached a DONE window later, archived as their own batch. */
    public static BatchManifest lateDone(BatchManifest windowBatch, int sequence, long rows, long bytes,
                                         Instant exportedAt) {
        BatchManifest late = BatchManifest.pending(BatchIds.late(windowBatch.batchId(), sequence),
                windowBatch.schemaName(), windowBatch.table(), windowBatch.partition(),
                windowBatch.windowStart(), windowBatch.windowEnd(),
                windowBatch.table() + "/" + windowBatch.partition() + "/late-" + sequence + ".parquet",
                BatchManifest.KIND_LATE, windowBatch.batchId());
        return finish(late, rows, bytes, exportedAt);
    }

    /** Failed while exporting: no results recorded. */
    public static BatchManifest failedExport(String schema, String table, Window window, String error) {
        return pending(schema, table, window).transition(BatchStatus.EXPORTING).failed(error);
    }

    private static BatchManifest finish(BatchManifest m, long rows, long bytes, Instant exportedAt) {
        return m.transition(BatchStatus.EXPORTING)
                .withExport(rows, m.parquetPath(), bytes, "0".repeat(64),
                        List.of(new DeleteChunk(m.windowStart(), m.windowEnd(), rows)), exportedAt)
                .transition(BatchStatus.UPLOADED)
                .withVerifiedAt(exportedAt.plusSeconds(1))
                .transition(BatchStatus.VERIFIED)
                .transition(BatchStatus.DELETING)
                .withChunksDeleted(1)
                .withDeletedAt(exportedAt.plusSeconds(2))
                .transition(BatchStatus.DONE);
    }
}
