package io.pgfreezer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.engine.RunOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Export, verify, and delete windows for all (or one) configured tables.",
        footer = {
                "%nExamples:",
                "  # All tables",
                "  pg-freezer run --config config.yaml",
                "",
                "  # Single table, dry run",
                "  pg-freezer run --config config.yaml --table sensor_readings --dry-run",
                "",
                "  # Retry failed batches",
                "  pg-freezer run --config config.yaml --force",
                "",
                "When stderr is a terminal, a progress line (window N/M, ETA) is shown on it;",
                "PG_FREEZER_PROGRESS=0 hides it, PG_FREEZER_PROGRESS=1 forces it.",
                "Logs on a terminal give one line per table (-v: per batch too);",
                "elsewhere, or with LOG_FORMAT=json, one JSON object per line.",
                "Exit status:",
                "  0   every batch succeeded",
                "  1   a batch FAILED, or another problem an operator must look at",
                "  2   usage or configuration error",
                "  75  the database or storage could not be reached, still after the",
                "      retries of global.retry: temporary, the next run resumes where",
                "      this one stopped"})
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", description = "Process only this table.")
    String table;

    @Option(names = "--dry-run", description = "Report what would be archived, and for retention: detach | drop which partitions would go whole and which windows by row delete; write and delete nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Retry FAILED batches (resets them to PENDING).")
    boolean force;

    @Option(names = "--daemon", description = "Loop at global.check_interval until SIGTERM; prefer cron in production.")
    boolean daemon;

    @Option(names = {"-v", "--verbose"},
            description = "On a terminal, also log every batch (JSON logs always have them).")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LogSetup.verbose(verbose);
        FreezerConfig cfg = config.load();
        RunOptions options = RunOptions.run(Optional.ofNullable(table), dryRun || cfg.global().dryRun(), force);
        return ArchiveRunner.execute(cfg, options, daemon, spec.commandLine().getOut());
    }
}
