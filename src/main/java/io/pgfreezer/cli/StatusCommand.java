package io.pgfreezer.cli;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.StorageManifestStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Aggregated batch counts per table, read from the manifests (no database needed).",
        footer = {
                "%nExamples:",
                "  pg-freezer status --config config.yaml",
                "  pg-freezer status -t sensor_readings",
                "  pg-freezer status --json",
                "",
                "  # For monitoring: exit status 1 while any batch is FAILED",
                "  pg-freezer status --fail-on-failed",
                "",
                "  # Rewrite the manifest indexes from the manifests",
                "  pg-freezer status --rebuild-index"})
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", description = "Only this table.")
    String table;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--fail-on-failed",
            description = "Exit with status 1 when any shown table has a FAILED batch (the report is printed as usual).")
    boolean failOnFailed;

    @Option(names = "--rebuild-index", description = "Read every manifest and rewrite each table's manifest "
            + "index (_manifest_index/{table}.json.gz) from them, ignoring the one stored. Writes to storage.")
    boolean rebuildIndex;

    @Spec
    CommandSpec spec;

    private final CommandEnvironment environment;

    public StatusCommand() {
        this(CommandEnvironment.PRODUCTION);
    }

    StatusCommand(CommandEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        StatusReport report = environment.readManifests(config, table, (tables, store) -> {
            if (rebuildIndex) {
                for (TableConfig t : tables) {
                    StorageManifestStore.IndexUpdate update = store.rebuildIndex(t.name());
                    spec.commandLine().getErr().printf("rebuilt the manifest index of %s: %d manifest(s)%n",
                            t.qualifiedName(), update.manifests());
                }
                spec.commandLine().getErr().flush();
            }
            return StatusReport.collect(tables, store);
        });
        report.print(spec.commandLine().getOut(), json);
        return failOnFailed && report.failedBatches() > 0 ? FreezerException.EXIT_FAILURE : 0;
    }
}
