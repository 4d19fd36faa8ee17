package io.pgfreezer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

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
                "  pg-freezer restore -t T --from D --to D         # rows back into PostgreSQL",
                "  pg-freezer COMMAND --help                       # a command's examples",
                "",
                "Exit status: 0 success; 1 a batch FAILED or an operator must look; 2 usage",
                "or configuration error; 75 database or storage unreachable (temporary: the",
                "next run resumes); 141 fetch's reader closed the pipe.",
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
                RestoreCommand.class,
                picocli.AutoComplete.GenerateCompletion.class
        })
public final class FreezerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Read by {@link ConfigOption} when the subcommand was not given its own. */
    @Option(names = {"-c", "--config"}, paramLabel = "PATH",
            description = "Config file for the command that follows (default: config.yaml).")
    Path config;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
