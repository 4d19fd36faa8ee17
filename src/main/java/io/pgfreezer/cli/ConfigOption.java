package io.pgfreezer.cli;

import io.pgfreezer.config.ConfigLoader;
import io.pgfreezer.config.FreezerConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code -c/--config}, shared by every subcommand. */
final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "PATH", defaultValue = "config.yaml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path path;

    FreezerConfig load() {
        return ConfigLoader.load(path, System.getenv());
    }
}
