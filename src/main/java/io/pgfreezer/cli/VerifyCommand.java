package io.pgfreezer.cli;

import io.pgfreezer.config.ConfigException;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.verify.ArchiveVerifier;
import io.pgfreezer.verify.ObjectCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
                "Re-prove archived windows from storage alone (no database needed): every object a DONE "
                        + "manifest points at exists with the recorded size and SHA-256; with --deep every "
                        + "value also decodes to the recorded row count. Objects in a table's data that no "
                        + "manifest accounts for are reported as ORPHAN; earlier attempts kept under "
                        + "_superseded/ are listed as SUPERSEDED.",
                "Exit status: 0 intact, 3 something MISSING or CORRUPT, 4 intact but ORPHANs found, "
                        + "2 invalid options."},
        footer = {
                "%nExamples:",
                "  # Sizes and checksums of every archived object",
                "  pg-freezer verify --config config.yaml",
                "",
                "  # One table and month, decoding every value",
                "  pg-freezer verify -t sensor_readings --from 2024-01-01 --to 2024-02-01 \\",
                "      --deep",
                "",
                "  # What is damaged, for a script",
                "  pg-freezer verify --json |",
                "      jq '.objects[] | select(.result == \"MISSING\" or .result == \"CORRUPT\")'"})
public final class VerifyCommand implements Callable<Integer> {
    static final int DEFAULT_PARALLEL = 4;
    /** As many as manifest reads may be in flight; the S3 client's pool holds more connections than that. */
    static final int MAX_PARALLEL = StorageManifestStore.MAX_PARALLELISM;

    @Mixin
    ConfigOption config;

    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", description = "Only this table.")
    String table;

    @Option(names = "--from", paramLabel = "DATE", converter = DateArgument.class,
            description = "Windows starting on or after this date (UTC).")
    Instant from;

    @Option(names = "--to", paramLabel = "DATE", converter = DateArgument.class,
            description = "Windows starting before this date (UTC).")
    Instant to;

    @Option(names = "--deep", description = "Also download each object to a temporary file and decode every "
            + "value (page CRCs checked), comparing the row count with the manifest.")
    boolean deep;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "" + DEFAULT_PARALLEL,
            description = "Objects read at the same time, 1 to " + MAX_PARALLEL + " (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final CommandEnvironment environment;

    public VerifyCommand() {
        this(CommandEnvironment.PRODUCTION);
    }

    VerifyCommand(CommandEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ConfigException("--from must be before --to");
        }
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new ConfigException("--parallel must be from 1 to " + MAX_PARALLEL + ", got " + parallel);
        }
        FreezerConfig cfg = environment.configs().apply(config);
        List<TableConfig> tables = cfg.select(table);
        ArchiveVerifier.Report report;
        try (ObjectStorage storage = environment.storages().apply(cfg.storage());
             Progress progress = Progress.forStderr()) {
            ArchiveVerifier verifier = new ArchiveVerifier(storage, new StorageManifestStore(storage),
                    Path.of(System.getProperty("java.io.tmpdir")));
            report = verifier.verify(tables, new ArchiveVerifier.Options(from, to, deep, parallel),
                    new ProgressLine(progress));
        }
        VerifyReport output = new VerifyReport(report);
        output.print(spec.commandLine().getOut(), json);
        return output.exitCode();
    }

    /** Objects and bytes read so far against the plan, and how many problems were found. */
    private static final class ProgressLine implements ArchiveVerifier.Listener {
        private final Progress progress;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicInteger problems = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private volatile int objects;
        private volatile long plannedBytes;

        ProgressLine(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void planned(int objects, long bytes) {
            this.objects = objects;
            this.plannedBytes = bytes;
        }

        @Override
        public void bytesRead(long n) {
            bytes.addAndGet(n);
            show();
        }

        @Override
        public void checked(ObjectCheck check) {
            if (check.kind() == ObjectCheck.Kind.DATA || check.kind() == ObjectCheck.Kind.LATE) {
                done.incrementAndGet();
            }
            if (check.result().isDamage()) {
                problems.incrementAndGet();
            }
            show();
        }

        private void show() {
            progress.update("verify: " + done.get() + "/" + objects + " object(s), "
                    + HumanFormat.size(bytes.get()) + " of " + HumanFormat.size(plannedBytes) + " read, "
                    + problems.get() + " missing or corrupt");
        }
    }
}
