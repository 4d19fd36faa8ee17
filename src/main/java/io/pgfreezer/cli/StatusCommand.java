package io.pgfreezer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Aggregated batch counts per table, read from the manifests (no database needed).")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", description = "Only this table.")
    String table;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() {
        config.load();
        throw new UnsupportedOperationException("status is not implemented yet");
    }
}
