package io.pgfreezer.cli;

import io.pgfreezer.config.ConfigException;
import io.pgfreezer.manifest.BatchStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Per-partition detail from the manifests: partition, rows, size, status.",
        footer = {
                "%nExamples:",
                "  # All partitions",
                "  pg-freezer list",
                "",
                "  # Date range for one table",
                "  pg-freezer list -t sensor_readings --from 2024-01-01 --to 2024-02-01",
                "",
                "  # Only failures",
                "  pg-freezer list --status FAILED",
                "",
                "  # Pipe to jq",
                "  pg-freezer list --json | jq '.[] | select(.status == \"FAILED\") | .partition'"})
public final class ListCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", description = "Filter to one table.")
    String table;

    @Option(names = "--from", paramLabel = "DATE", converter = DateArgument.class,
            description = "Partitions starting on or after this date (UTC).")
    Instant from;

    @Option(names = "--to", paramLabel = "DATE", converter = DateArgument.class,
            description = "Partitions starting before this date (UTC).")
    Instant to;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "Filter: ${COMPLETION-CANDIDATES}.")
    BatchStatus status;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final CommandEnvironment environment;

    public ListCommand() {
        this(CommandEnvironment.PRODUCTION);
    }

    ListCommand(CommandEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ConfigException("--from must be before --to");
        }
        ListReport.Filter filter = new ListReport.Filter(from, to, status);
        ListReport report = environment.readManifests(config, table,
                (tables, store) -> ListReport.collect(tables, store, filter));
        report.print(spec.commandLine().getOut(), json);
        return 0;
    }
}
