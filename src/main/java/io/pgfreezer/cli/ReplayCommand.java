package io.pgfreezer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.engine.RunOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-export the windows that lie fully inside [--from, --to) of one table.",
        footer = {
                "%nExamples:",
                "  pg-freezer replay -t sensor_readings --from 2024-01-01 --to 2024-01-08",
                "",
                "  # Including batches that FAILED in the range",
                "  pg-freezer replay -t sensor_readings --from 2024-01-01 --to 2024-01-08 \\",
                "      --force",
                "",
                "  # See first which windows would be re-exported",
                "  pg-freezer replay -t sensor_readings --from 2024-01-01 --to 2024-01-08 \\",
                "      --dry-run"})
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    TableRange range;

    @Option(names = "--dry-run", description = "Report what would be archived; write and delete nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Re-process FAILED batches in the range.")
    boolean force;

    @Option(names = {"-v", "--verbose"},
            description = "On a terminal, also log every batch (JSON logs always have them).")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LogSetup.verbose(verbose);
        FreezerConfig cfg = config.load();
        range.requireOrdered();
        RunOptions options = RunOptions.replay(range.table, range.from, range.to, dryRun || cfg.global().dryRun(), force);
        return ArchiveRunner.execute(cfg, options, false, spec.commandLine().getOut());
    }
}
