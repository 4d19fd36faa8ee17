package io.pgfreezer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code pg-freezer} command: only dispatches to its subcommands. */
@Command(name = "pg-freezer",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Archive PostgreSQL time-series tables to Hive-partitioned Parquet on "
                + "S3-compatible storage, verify the upload, then delete the archived rows.",
        footer = {
                "%nExamples:",
                "  pg-freezer run --config config.yaml --dry-run   # preview; writes nothing",
                "  pg-freezer run --config config.yaml             # archive, verify, delete",
                "  pg-freezer status --config config.yaml          # batch counts per table",
                "  pg-freezer verify --config config.yaml          # is the archive still whole?",
                "  pg-freezer COMMAND --help                       # a command's examples",
                "",
                "Shell completion (bash or zsh):",
                "  source <(pg-freezer generate-completion)"},
        subcommands = {
                RunCommand.class,
                StatusCommand.class,
                ListCommand.class,
                FetchCommand.class,
                ReplayCommand.class,
                VerifyCommand.class,
                picocli.AutoComplete.GenerateCompletion.class
        })
public final class FreezerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
