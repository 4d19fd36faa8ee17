package io.pgfreezer.cli;

import io.pgfreezer.config.ConfigException;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.TableConfig;

import java.util.List;
import java.util.stream.Collectors;

/** The tables a {@code -t/--table} option selects: all configured ones, or the one it names. */
final class TableSelection {
    private TableSelection() {
    }

    /**
     * @param name {@code null} for every configured table (in config order); otherwise a table's
     *             name or {@code schema.name}
     * @throws ConfigException naming the table and the configured ones when it is not configured
     */
    static List<TableConfig> select(FreezerConfig config, String name) {
        if (name == null) {
            return config.tables();
        }
        List<TableConfig> matches = config.tables().stream()
                .filter(t -> t.name().equals(name) || t.qualifiedName().equals(name))
                .toList();
        if (matches.isEmpty()) {
            throw new ConfigException("table '" + name + "' is not configured; configured tables: "
                    + config.tables().stream().map(TableConfig::qualifiedName).collect(Collectors.joining(", ")));
        }
        return matches;
    }
}
