package io.pgfreezer.cli;

import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.fetch.AtomicOutputFile;
import io.pgfreezer.fetch.Fetcher;
import io.pgfreezer.fetch.RowWriter;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Stream archived rows with timestamps in [--from, --to) as CSV, JSON or JSON Lines. "
                + "Data goes to stdout or --output; progress and a summary go to stderr.",
        footer = {
                "%nExamples:",
                "  # Stream CSV to stdout",
                "  pg-freezer fetch -t sensor_readings --from 2024-01-01 --to 2024-01-08",
                "",
                "  # Write JSON Lines to a file",
                "  pg-freezer fetch -t sensor_readings --from 2024-01-01 --to 2024-01-02 \\",
                "      --format jsonl --output readings.jsonl",
                "",
                "  # Pipe into DuckDB",
                "  pg-freezer fetch -t sensor_readings --from 2024-01-01 --to 2024-02-01 \\",
                "      --format jsonl |",
                "      duckdb -c \"SELECT avg(value) FROM read_json_auto('/dev/stdin')\"",
                "",
                "  # Pretty JSON to a file",
                "  pg-freezer fetch -t device_events --from 2024-01-01 --to 2024-02-01 \\",
                "      --format json -o events.json",
                "",
                "--format json is one array holding one row object per line: the same data as",
                "the original's indented array, and it stays usable with line tools (head,",
                "grep, diff). For indentation, pipe it through 'jq .'.",
                "",
                "When the reader of stdout goes away (fetch ... | head), fetch stops at once",
                "without reading further files and exits with status 141, as tools killed by",
                "SIGPIPE do."})
public final class FetchCommand implements Callable<Integer> {
    public enum Format { csv, json, jsonl }

    @Mixin
    ConfigOption config;

    @Mixin
    TableRange range;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "Output file; omit or use '-' for stdout.")
    String output;

    @Spec
    CommandSpec spec;

    private static final int STDOUT_BUFFER = 64 * 1024;


    private final CommandEnvironment environment;

    public FetchCommand() {
        this(CommandEnvironment.PRODUCTION);
    }

    FetchCommand(CommandEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        range.requireOrdered();
        FreezerConfig cfg = environment.configs().apply(config);
        TableConfig selected = cfg.select(range.table).get(0);
        PrintWriter err = spec.commandLine().getErr();
        RowWriter.Format rowFormat = RowWriter.Format.valueOf(format.name().toUpperCase(Locale.ROOT));
        long started = System.nanoTime();
        Fetcher.Result result;
        try (ObjectStorage storage = environment.storages().apply(cfg.storage());
             Progress progress = Progress.forStderr()) {
            Fetcher fetcher = new Fetcher(storage, new StorageManifestStore(storage),
                    Path.of(System.getProperty("java.io.tmpdir")), new Report(err, progress));
            if (output == null || output.equals("-")) {
                Writer stdout = new BufferedWriter(new CheckedWriter(spec.commandLine().getOut()), STDOUT_BUFFER);
                try {
                    result = fetcher.fetch(selected, range.from, range.to, rowFormat.on(stdout));
                } catch (RuntimeException e) {
                    if (ClosedOutputException.causes(e)) {
                        // The reader has what it wanted; a message or a summary would only be noise.
                        return ExitCodes.BROKEN_PIPE;
                    }
                    throw e;
                }
            } else {
                try (AtomicOutputFile file = AtomicOutputFile.create(Path.of(output))) {
                    result = fetcher.fetch(selected, range.from, range.to, rowFormat.on(file.writer()));
                    file.commit();
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        err.println("fetched " + HumanFormat.count(result.rows()) + " row(s) from " + result.partitions()
                + " partition(s) (" + result.files() + " file(s), " + HumanFormat.size(result.bytes()) + ") in "
                + String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0)
                + (output == null || output.equals("-") ? "" : " to " + output));
        err.flush();
        return 0;
    }

    /**
     * Notes always reach stderr; the running count of partitions, rows and bytes is a progress
     * line on a terminal and silent otherwise, so logs of scheduled fetches stay short.
     */
    private static final class Report implements Fetcher.Listener {
        private final PrintWriter err;
        private final Progress progress;
        private final long started = System.nanoTime();
        private long partitions;
        private long rows;
        private long bytes;

        Report(PrintWriter err, Progress progress) {
            this.err = err;
            this.progress = progress;
        }

        @Override
        public void note(String message) {
            progress.update("");
            err.println("note: " + message);
            err.flush();
        }

        @Override
        public void partitionDone(Fetcher.PartitionReport report) {
            partitions++;
            rows += report.rows();
            bytes += report.bytes();
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            progress.update(report.partition() + ": " + partitions + " partition(s), " + HumanFormat.count(rows)
                    + " rows, " + HumanFormat.size(bytes) + ", " + HumanFormat.count((long) (rows / seconds)) + " rows/s");
        }
    }

    /** Standard output can no longer be written: its reader closed the pipe. */
    static final class ClosedOutputException extends IOException {
        private static final long serialVersionUID = 1L;

        ClosedOutputException() {
            super("standard output was closed");
        }

        static boolean causes(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ClosedOutputException) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A {@link PrintWriter} swallows write errors; this surfaces them after every write, so a fetch
     * whose reader went away (a closed pipe) stops within one buffer of output instead of reading
     * the whole range for nobody. Writes arrive here one buffer at a time, so the flush that
     * checking implies costs nothing a full buffer would not cost anyway.
     */
    private static final class CheckedWriter extends Writer {
        private final PrintWriter out;

        CheckedWriter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
            flush();
        }

        @Override
        public void write(String text, int offset, int length) throws IOException {
            out.write(text, offset, length);
            flush();
        }

        @Override
        public void flush() throws IOException {
            if (out.checkError()) {
                throw new ClosedOutputException();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
