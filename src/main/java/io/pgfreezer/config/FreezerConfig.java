package io.pgfreezer.config;

import java.util.List;

/** The whole configuration, validated once when loaded. Nothing downstream re-checks it. */
public record FreezerConfig(
        DatabaseConfig database,
        StorageConfig storage,
        List<TableConfig> tables,
        GlobalConfig global) {

    public FreezerConfig {
        tables = List.copyOf(tables);
    }
}
