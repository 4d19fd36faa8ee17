package io.pgfreezer.config;

import java.util.List;
import java.util.stream.Collectors;

/** The whole configuration, validated once when loaded. Nothing downstream re-checks it. */
public record FreezerConfig(
        DatabaseConfig database,
        StorageConfig storage,
        List<TableConfig> tables,
        GlobalConfig global) {

    public FreezerConfig {
        tables = List.copyOf(tables);
    }

    /**
     * The tables a {@code -t/--table} option selects.
     *
     * @param name {@code null} for every configured table (in config order); otherwise a table's
     *             name or {@code schema.name}
     * @throws ConfigException naming the table and the configured ones when it is not configured
     */
    public List<TableConfig> select(String name) {
        if (name == null) {
            return tables;
        }
        List<TableConfig> matches = tables.stream()
                .filter(t -> t.name().equals(name) || t.qualifiedName().equals(name))
                .toList();
        if (matches.isEmpty()) {
            throw new ConfigException("table '" + name + "' is not configured; configured tables: "
                    + tables.stream().map(TableConfig::qualifiedName).collect(Collectors.joining(", ")));
        }
        return matches;
    }
}
