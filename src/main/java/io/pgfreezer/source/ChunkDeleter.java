package io.pgfreezer.source;

import io.pgfreezer.manifest.DeleteChunk;

/**
 * A database session that deletes a table's chunks, each in a transaction of its own that the
 * caller ends. The engine decides on the count, and records what it committed, while the rows
 * are still there; with two sessions it can have the next chunk's DELETE run while it does.
 */
public interface ChunkDeleter extends AutoCloseable {

    /**
     * Runs the chunk's {@code DELETE} in a new transaction and returns with that transaction
     * open. When the statement fails, the transaction is rolled back before this throws.
     */
    OpenDelete delete(DeleteChunk chunk);

    /**
     * Opens a read-only transaction on this session and returns it open, with a snapshot other
     * sessions can {@link #join}, so chunk counts split between sessions all see the same rows.
     */
    Snapshot snapshot();

    /** Opens a read-only transaction on this session in {@code shared}'s snapshot, which must still be open. */
    Snapshot join(Snapshot shared);

    /** Hands a spare session back to the pool; the table's own session stays with the table. */
    @Override
    void close();

    /** A read-only transaction in one snapshot; closing it ends the transaction. */
    interface Snapshot extends AutoCloseable {

        /** The snapshot's id, for {@link ChunkDeleter#join}. */
        String id();

        /** The rows each chunk holds in this snapshot. */
        java.util.List<Long> count(java.util.List<DeleteChunk> chunks);

        @Override
        void close();
    }

    /** A chunk's DELETE that has run and is not yet committed. Commit or roll back exactly once. */
    interface OpenDelete {

        /** The rows the DELETE removed, visible to no other session until the commit. */
        long rows();

        void commit();

        void rollback();
    }
}
