package io.pgfreezer.engine;

/**
 * Hears about a run while it happens, for a progress display. Tables run in parallel, so an
 * implementation is called from several threads at once; within one table the calls arrive in
 * order: {@code tablePlanned} once, then per window {@code batchStarted}, any number of
 * {@code rowsExported}, then {@code batchFinished}.
 * Calls are made on the engine's own threads and must return quickly and never throw.
 */
public interface ProgressListener {
    /** Nobody is listening. */
    ProgressListener NONE = new ProgressListener() { };

    /** {@code table} (schema.name) has {@code windows} windows to work through in this run. */
    default void tablePlanned(String table, int windows) {
    }

    /** {@code table} (schema.name) starts working on {@code window}. */
    default void batchStarted(String table, Window window) {
    }

    /**
     * One more block of {@code rows} was read from PostgreSQL and handed to the archive writer;
     * {@code bytes} is the block's size in memory, an estimate of the data read, not the file size.
     */
    default void rowsExported(String table, long rows, long bytes) {
    }

    /** The batch started last for {@code outcome.table()} has an outcome. */
    default void batchFinished(BatchOutcome outcome) {
    }
}
