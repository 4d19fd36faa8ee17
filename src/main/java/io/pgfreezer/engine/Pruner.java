package io.pgfreezer.engine;

import io.pgfreezer.manifest.BatchManifest;

/**
 * How the rows of a verified window leave PostgreSQL. The batch state machine hands every
 * DELETING batch to its table's pruner and knows nothing of row deletes or partitions; each
 * strategy saves the manifest before and after each step it takes, so a run killed at any
 * point resumes where it stopped.
 */
interface Pruner {

    /**
     * Removes the window's rows, or (for a window whose partition goes as a whole once its other
     * windows are verified too) records that it waits for them.
     *
     * @param resumed the batch was already DELETING when this run found it
     * @return the saved manifest: DONE, or still DELETING while it waits
     * @throws GuardTripped when PostgreSQL does not hold exactly the archived rows
     */
    BatchManifest prune(BatchManifest m, boolean resumed);

    /** For a dry run: how the window's rows would leave PostgreSQL. */
    String describe(Window w);
}
