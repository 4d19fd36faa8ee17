package io.pgfreezer.config;

import java.time.Duration;
import java.util.Optional;

/**
 * One entry of {@code tables:}. {@code extraFilters} is raw SQL from a trusted operator and is the
 * only unquoted text pg-freezer ever puts into a statement. {@code retentionSchema} is only ever
 * set with {@link Retention#DETACH}: where detached partitions are moved.
 */
public record TableConfig(
        String name,
        String schema,
        String timestampColumn,
        Granularity partitionBy,
        Duration lag,
        Optional<String> extraFilters,
        Retention retention,
        Optional<String> retentionSchema) {

    /** A table whose archived rows are deleted row by row, the default. */
    public TableConfig(String name, String schema, String timestampColumn, Granularity partitionBy, Duration lag,
                       Optional<String> extraFilters) {
        this(name, schema, timestampColumn, partitionBy, lag, extraFilters, Retention.DELETE, Optional.empty());
    }

    /** {@code schema.name}, as shown by {@code status} and used in batch ids. */
    public String qualifiedName() {
        return schema + "." + name;
    }
}
