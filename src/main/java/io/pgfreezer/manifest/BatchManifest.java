package io.pgfreezer.manifest;

import java.time.Instant;
import java.util.List;

/**
 * The state of one batch, stored as JSON at {@code _manifests/{table}/{batch_id}.json}.
 * The first fifteen components are the original tool's format, in its order; the rest are
 * ours and are ignored by the original. Instances are immutable: every change returns a copy.
 *
 * @param parquetSha256  hex SHA-256 of the Parquet object as written; verification compares it
 * @param deleteChunks   per-slice row counts recorded during export, for the guarded delete
 * @param chunksDeleted  how many leading chunks are confirmed deleted (resume point)
 * @param kind           {@code window} for a window's first archive, {@code late} for rows that
 *                       arrived after the window was DONE
 * @param parentBatchId  for a late batch, the batch id of its window
 * @param restore        for a window whose archive was restored into the table it came from,
 *                       that restore; null when it never was
 * @param valueDigest    the export's value digest (see {@code format.ValueDigest}), which a partition
 *                       is proven against before it is detached; null for manifests without it
 * @param prune          while a verified window waits for, or is in, the removal of its partition:
 *                       which partition and which step; null otherwise
 * @param prunedBy       how a DONE window's rows left PostgreSQL ({@link #PRUNED_ROWS},
 *                       {@link #PRUNED_DETACHED}, {@link #PRUNED_DROPPED}); null when not recorded
 * @param snapshotXmin   the xmin of the export's snapshot (a 64-bit transaction id), recorded when
 *                       the export archived every row it saw; a partition whose rows are all older
 *                       is proven without reading its values again. Null for manifests without it
 */
public record BatchManifest(
        int version,
        String batchId,
        String table,
        String schemaName,
        String partition,
        Instant windowStart,
        Instant windowEnd,
        BatchStatus status,
        Long rowCount,
        String parquetPath,
        Long parquetSizeBytes,
        Instant exportedAt,
        Instant verifiedAt,
        Instant deletedAt,
        String error,
        String parquetSha256,
        List<DeleteChunk> deleteChunks,
        int chunksDeleted,
        String kind,
        String parentBatchId,
        String valueDigest,
        PartitionPrune prune,
        String prunedBy,
        Restore restore,
        Long snapshotXmin) {

    public static final int FORMAT_VERSION = 1;
    public static final String PRUNED_ROWS = "rows_deleted";
    public static final String PRUNED_DETACHED = "partition_detached";
    public static final String PRUNED_DROPPED = "partition_dropped";
    public static final String KIND_WINDOW = "window";
    public static final String KIND_LATE = "late";

    public BatchManifest {
        deleteChunks = deleteChunks == null ? List.of() : List.copyOf(deleteChunks);
        kind = kind == null ? KIND_WINDOW : kind;
    }

    /** A new PENDING batch. */
    public static BatchManifest pending(String batchId, String schema, String table, String partition,
                                        Instant windowStart, Instant windowEnd, String parquetPath,
                                        String kind, String parentBatchId) {
        return new BatchManifest(FORMAT_VERSION, batchId, table, schema, partition, windowStart, windowEnd,
                BatchStatus.PENDING, null, parquetPath, null, null, null, null, null,
                null, List.of(), 0, kind, parentBatchId, null, null, null, null, null);
    }

    /**
     * A restore of the window's archive into its table, as the manifest records it. {@code txid}
     * is the restoring transaction, recorded before it commits; {@code at} and {@code rows} are set
     * once it has, so a restore with a txid and no {@code at} may or may not have committed, and
     * only PostgreSQL can say which ({@code txid_status}).
     */
    public record Restore(long txid, Instant at, Long rows) {
        public boolean finished() {
            return at != null;
        }
    }

    /** Whether a restore into the table was started for this window (finished or not). */
    public boolean restoreStarted() {
        return restore != null;
    }

    /** The manifest with {@code restore} recorded; {@code null} clears it (a restore that rolled back). */
    public BatchManifest withRestore(Restore restore) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, prunedBy,
                restore, snapshotXmin);
    }

    public boolean isLate() {
        return KIND_LATE.equals(kind);
    }

    /**
     * Moves to {@code next}, or throws when the state machine does not allow it. The caller
     * persists the result before acting on the new state.
     */
    public BatchManifest transition(BatchStatus next) {
        if (!status.canBecome(next)) {
            throw new ManifestException("batch " + batchId + " of " + schemaName + "." + table
                    + " cannot move from " + status + " to " + next);
        }
        return withStatus(next);
    }

    /** {@code --force}: FAILED back to PENDING with every result of the failed attempt cleared. */
    public BatchManifest forceReset() {
        if (status != BatchStatus.FAILED) {
            throw new ManifestException("batch " + batchId + " is " + status + ", only FAILED batches can be reset");
        }
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                BatchStatus.PENDING, null, parquetPath, null, null, null, null, null,
                null, List.of(), 0, kind, parentBatchId, null, null, null, null, null);
    }

    /**
     * {@code --force} on a batch that failed part-way through deleting: back to DELETING with its
     * archive and the chunks already deleted kept. Starting over from PENDING would export a file
     * without the deleted rows and replace the archive that holds them.
     */
    public BatchManifest forceResumeDeletion() {
        if (status != BatchStatus.FAILED || chunksDeleted == 0) {
            throw new ManifestException("batch " + batchId + " is " + status + " with " + chunksDeleted
                    + " chunk(s) deleted; only a FAILED batch with deleted chunks resumes its delete");
        }
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                BatchStatus.DELETING, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, null, null,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, prunedBy,
                restore, snapshotXmin);
    }

    /** An export that found no rows: nothing was written, so there is no object to point at. */
    public BatchManifest withEmptyExport(Instant at) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, 0L, null, null, at, null, null, null, null, List.of(), 0, kind, parentBatchId, null, null,
                null, restore, null);
    }

    /** FAILED with a message, from any non-terminal state (also what a crash in PENDING becomes). */
    public BatchManifest failed(String message) {
        if (status.isTerminal()) {
            throw new ManifestException("batch " + batchId + " is already " + status);
        }
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                BatchStatus.FAILED, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt,
                message, parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune,
                prunedBy, restore, snapshotXmin);
    }

    public BatchManifest withStatus(BatchStatus next) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                next, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, prunedBy,
                restore, snapshotXmin);
    }

    public BatchManifest withExport(long rows, String path, long sizeBytes, String sha256,
                                    List<DeleteChunk> chunks, Instant at) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rows, path, sizeBytes, at, verifiedAt, deletedAt, error,
                sha256, chunks, 0, kind, parentBatchId, null, prune, prunedBy, restore, null);
    }

    public BatchManifest withVerifiedAt(Instant at) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, at, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, prunedBy,
                restore, snapshotXmin);
    }

    public BatchManifest withChunksDeleted(int count) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, count, kind, parentBatchId, valueDigest, prune, prunedBy, restore,
                snapshotXmin);
    }

    public BatchManifest withDeletedAt(Instant at) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, at, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, prunedBy,
                restore, snapshotXmin);
    }

    public BatchManifest withValueDigest(String digest) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, digest, prune, prunedBy, restore,
                snapshotXmin);
    }

    public BatchManifest withSnapshotXmin(Long xmin) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, prunedBy, restore,
                xmin);
    }

    public BatchManifest withPrune(PartitionPrune next) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, next, prunedBy,
                restore, snapshotXmin);
    }

    /**
     * How the rows left PostgreSQL. The partition record stays: with {@code retention: detach} the
     * rows are still in that table, which a resumed removal must count.
     */
    public BatchManifest withPrunedBy(String how) {
        return new BatchManifest(version, batchId, table, schemaName, partition, windowStart, windowEnd,
                status, rowCount, parquetPath, parquetSizeBytes, exportedAt, verifiedAt, deletedAt, error,
                parquetSha256, deleteChunks, chunksDeleted, kind, parentBatchId, valueDigest, prune, how, restore,
                snapshotXmin);
    }
}
