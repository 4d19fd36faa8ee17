package io.pgfreezer.config;

import java.time.Duration;
import java.util.Optional;

/**
 * One entry of {@code tables:}. {@code extraFilters} is raw SQL from a trusted operator and is the
 * only unquoted text pg-freezer ever puts into a statement.
 */
public record TableConfig(
        String name,
        String schema,
        String timestampColumn,
        Granularity partitionBy,
        Duration lag,
        Optional<String> extraFilters) {

    /** {@code schema.name}, as shown by {@code status} and used in batch ids. */
    public String qualifiedName() {
        return schema + "." + name;
    }
}
