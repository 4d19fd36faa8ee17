package io.pgfreezer.source;

/** Where a partition stands in its removal, as the catalog shows it. */
public enum PartitionState {
    /** Still a partition of its parent: nothing was detached. */
    ATTACHED,
    /** A concurrent detach stopped between its two transactions. */
    DETACH_PENDING,
    /** A table of its own, no longer a partition. */
    DETACHED,
    /** No table of that name: dropped, or moved to the retention schema. */
    GONE
}
