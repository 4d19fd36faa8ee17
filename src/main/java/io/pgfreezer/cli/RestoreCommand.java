package io.pgfreezer.cli;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.ConfigException;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.Window;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.restore.Restorer;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.source.RestoreTarget;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {
                "Stream the archived rows of the windows inside [--from, --to) of one table back into "
                        + "PostgreSQL (binary COPY, one transaction per window, data and late files together). "
                        + "The values are proven to be the ones PostgreSQL sent at export before each window "
                        + "commits. A window that already has rows in the target is refused, never duplicated. "
                        + "Restored into the table itself, the window's manifest records the restore, so run and "
                        + "replay do not archive those rows again.",
                "Exit status: 0 every window restored (or already restored, or empty); 1 a window was refused or "
                        + "failed; 2 invalid options; 75 database or storage unreachable."},
        footer = {
                "%nExamples:",
                "  # What would be restored, and where",
                "  pg-freezer restore -t sensor_readings --from 2024-01-01 --to 2024-01-08 \\",
                "      --dry-run",
                "",
                "  # Into a scratch table, created from the archive's columns",
                "  pg-freezer restore -t sensor_readings --from 2024-01-01 --to 2024-01-02 \\",
                "      --into scratch.sensor_jan01",
                "",
                "  # Back into the table itself",
                "  pg-freezer restore -t sensor_readings --from 2024-01-01 --to 2024-02-01"})
public final class RestoreCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RestoreCommand.class);

    @Mixin
    ConfigOption config;

    @Mixin
    TableRange range;

    @Option(names = "--into", paramLabel = "SCHEMA.TABLE",
            description = "Restore into this table instead (schema defaults to the archived table's); "
                    + "created from the archive's columns when it does not exist. Its manifests are not changed.")
    String into;

    @Option(names = "--dry-run", description = "List the windows that would be restored, their rows and the target; "
            + "change nothing.")
    boolean dryRun;

    @Option(names = "--ignore-extra-columns", description = "Leave out archived columns the target table does not "
            + "have, instead of refusing the window.")
    boolean ignoreExtraColumns;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        range.requireOrdered();
        FreezerConfig cfg = config.load();
        List<TableConfig> tables = cfg.select(range.table);
        if (tables.size() != 1) {
            throw new ConfigException("--table " + range.table + " names " + tables.size()
                    + " configured tables; restore takes exactly one (use schema.name)");
        }
        TableConfig table = tables.get(0);
        requireWindowBoundary("--from", range.from, table);
        requireWindowBoundary("--to", range.to, table);
        String[] target = target(table);
        boolean intoSource = target[0].equals(table.schema()) && target[1].equals(table.name());
        PrintWriter out = spec.commandLine().getOut();
        Restorer.Report report;
        try (ObjectStorage storage = ObjectStorages.open(cfg.storage());
             PostgresSource source = new PostgresSource(cfg.database());
             Progress progress = dryRun ? Progress.silent() : Progress.forStderr()) {
            StorageManifestStore manifests = StorageManifestStore.open(storage, System.getenv());
            Optional<RestoreTarget> opened = source.openRestore(table, target[0], target[1]);
            if (opened.isEmpty()) {
                throw new BusyException(target[0] + "." + target[1]);
            }
            try (RestoreTarget t = opened.get()) {
                Restorer restorer = new Restorer(storage, manifests, Path.of(System.getProperty("java.io.tmpdir")),
                        Clock.systemUTC());
                report = restorer.restore(table, t,
                        new Restorer.Options(range.from, range.to, intoSource, dryRun, ignoreExtraColumns),
                        new ProgressLine(progress));
            }
            progress.update("");
            if (intoSource && !dryRun && report.windows().stream().anyMatch(w -> w.outcome() == Restorer.Outcome.RESTORED
                    || w.outcome() == Restorer.Outcome.RECORDED)) {
                refreshIndex(manifests, table);
            }
        }
        print(report, out);
        return report.needsAttention() ? ExitCodes.ATTENTION : ExitCodes.OK;
    }

    /** Whole windows only: each is one transaction and one manifest, so a range never splits one. */
    private static void requireWindowBoundary(String option, Instant at, TableConfig table) {
        Instant floor = Window.floor(at, table.partitionBy());
        if (!floor.equals(at)) {
            Window w = Window.containing(at, table.partitionBy());
            throw new ConfigException(option + " " + at + " is inside the " + table.partitionBy().name().toLowerCase()
                    + " window " + w + " of " + table.qualifiedName() + "; restore works in whole windows: use "
                    + w.start() + " or " + w.end());
        }
    }

    private String[] target(TableConfig table) {
        if (into == null) {
            return new String[] {table.schema(), table.name()};
        }
        String[] parts = into.split("\\.", -1);
        if (parts.length > 2 || java.util.Arrays.stream(parts).anyMatch(String::isBlank)) {
            throw new ConfigException("--into '" + into + "' is not TABLE or SCHEMA.TABLE");
        }
        return parts.length == 1 ? new String[] {table.schema(), parts[0]} : parts;
    }

    private static void refreshIndex(StorageManifestStore manifests, TableConfig table) {
        try {
            manifests.refreshIndex(table.name());
        } catch (RuntimeException e) {
            log.warn("could not write the manifest index of {} (status, list and run still read the manifests): {}",
                    table.qualifiedName(), FreezerException.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private void print(Restorer.Report report, PrintWriter out) {
        out.printf("%-52s %5s %12s  %s%n", "WINDOW", "FILES", "ROWS", "RESULT");
        for (Restorer.WindowResult w : report.windows()) {
            out.printf("%-52s %5d %12s  %s: %s%n", w.window(), w.files(), String.format("%,d", w.rows()),
                    w.outcome(), w.message());
        }
        if (dryRun) {
            out.printf("dry run: %d window(s), %,d rows would be restored into %s; nothing was changed%n",
                    report.count(Restorer.Outcome.WOULD_RESTORE), report.rows(Restorer.Outcome.WOULD_RESTORE),
                    report.target());
        } else {
            out.printf("%d window(s) restored (%,d rows) into %s, %d already restored, %d refused, %d failed%n",
                    report.count(Restorer.Outcome.RESTORED) + report.count(Restorer.Outcome.RECORDED),
                    report.rows(Restorer.Outcome.RESTORED) + report.rows(Restorer.Outcome.RECORDED), report.target(),
                    report.count(Restorer.Outcome.ALREADY_RESTORED), report.count(Restorer.Outcome.REFUSED),
                    report.count(Restorer.Outcome.FAILED));
        }
        if (report.windows().isEmpty()) {
            out.println("no archived window lies inside the range");
        }
        out.flush();
    }

    /** Another process holds the table's lock: retrying later is the remedy, so it exits as temporary. */
    private static final class BusyException extends FreezerException {
        private static final long serialVersionUID = 1L;

        BusyException(String table) {
            super("table " + table + " is being archived or restored by another pg-freezer process; try again when "
                    + "it has finished", null, FreezerException.EXIT_TRANSIENT);
        }
    }

    /** Windows and rows done so far against the plan. */
    private static final class ProgressLine implements Restorer.Listener {
        private final Progress progress;
        private int windows;
        private int done;
        private long plannedRows;
        private long rows;

        ProgressLine(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void planned(int windows, long rows) {
            this.windows = windows;
            this.plannedRows = rows;
        }

        @Override
        public void windowStarted(Window window) {
            show();
        }

        @Override
        public void rowsSent(long n) {
            rows += n;
            show();
        }

        @Override
        public void windowFinished(Restorer.WindowResult result) {
            done++;
            show();
        }

        private void show() {
            progress.update("restore: " + done + "/" + windows + " window(s), " + String.format("%,d", rows) + " of "
                    + String.format("%,d", plannedRows) + " rows");
        }
    }
}
