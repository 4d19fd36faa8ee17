package io.pgfreezer.source;

import java.time.Instant;

/**
 * One partition below a partitioned table, sub-partitions included, as the catalog describes it.
 *
 * @param from           start of the time range the partition holds, or null when it holds no
 *                       single time range (a DEFAULT partition, MINVALUE/MAXVALUE bounds, a key that
 *                       is not the timestamp column alone, or a parent that is such a partition)
 * @param to             end of that range (exclusive), or null likewise
 * @param isDefault      the parent's DEFAULT partition
 * @param detachPending  a {@code DETACH ... CONCURRENTLY} of it stopped between its two steps
 * @param parentHasDefault whether the parent has a DEFAULT partition, which rules out a
 *                       concurrent detach
 */
public record TablePartition(String schema, String name, String parentSchema, String parentName,
                             Instant from, Instant to, boolean isDefault, boolean detachPending,
                             boolean parentHasDefault) {

    /** The quoted {@code "schema"."name"}, which names it exactly in the catalog and in a manifest. */
    public String qualifiedName() {
        return Identifiers.qualified(schema, name);
    }

    public String parentQualifiedName() {
        return Identifiers.qualified(parentSchema, parentName);
    }

    public boolean hasTimeRange() {
        return from != null && to != null;
    }
}
