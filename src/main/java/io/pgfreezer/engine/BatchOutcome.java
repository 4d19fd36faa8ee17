package io.pgfreezer.engine;

import java.time.Duration;

/**
 * What happened to one batch in one run.
 *
 * @param rows  rows archived (or, for a dry run, rows that would be)
 * @param bytes Parquet bytes written (or, for a dry run, the rows' size in PostgreSQL)
 */
public record BatchOutcome(String table, String batchId, Window window, Result result, long rows, long bytes,
                           Duration exportTime, Duration verifyTime, Duration deleteTime, String message) {

    public enum Result {
        /** Archived, verified and deleted in this run. */
        DONE,
        /** Failed in this run: verification or the delete guard found a difference. */
        FAILED,
        /** Already FAILED; skipped until an operator retries it with --force. */
        SKIPPED_FAILED,
        /** Could not finish for a reason outside the batch (database, storage); resumes next run. */
        ERROR,
        /**
         * Could not finish because the database or storage was unreachable or overloaded, still
         * after the in-run retries: nothing is wrong with the batch, try again later.
         */
        TRANSIENT,
        /**
         * Archived and verified; its rows leave PostgreSQL with their partition once the
         * partition's other windows are archived and verified too.
         */
        PRUNE_PENDING,
        /** Dry run: what would be archived. */
        DRY_RUN
    }

    public boolean needsAttention() {
        return result == Result.FAILED || result == Result.SKIPPED_FAILED || result == Result.ERROR
                || result == Result.TRANSIENT;
    }
}
