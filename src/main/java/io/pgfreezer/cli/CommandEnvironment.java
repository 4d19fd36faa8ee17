package io.pgfreezer.cli;

import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Where a command gets its configuration and its storage. Production reads the config file and
 * opens the configured backend; tests hand in a configuration and an in-memory storage.
 */
record CommandEnvironment(Function<ConfigOption, FreezerConfig> configs,
                          Function<StorageConfig, ObjectStorage> storages) {

    static final CommandEnvironment PRODUCTION = new CommandEnvironment(ConfigOption::load, ObjectStorages::open);

    /**
     * Runs {@code reader} over the manifests of the tables {@code table} selects (see
     * {@link FreezerConfig#select}), with storage open only for the duration. Needs no database.
     */
    <R> R readManifests(ConfigOption option, String table, BiFunction<List<TableConfig>, StorageManifestStore, R> reader) {
        FreezerConfig config = configs.apply(option);
        List<TableConfig> tables = config.select(table);
        try (ObjectStorage storage = storages.apply(config.storage())) {
            return reader.apply(tables, StorageManifestStore.open(storage, System.getenv()));
        }
    }
}
