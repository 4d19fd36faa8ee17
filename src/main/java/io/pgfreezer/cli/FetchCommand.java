package io.pgfreezer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
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
                "      --format json -o events.json"})
public final class FetchCommand implements Callable<Integer> {
    public enum Format { csv, json, jsonl }

    @Mixin
    ConfigOption config;

    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", required = true, description = "Table to fetch.")
    String table;

    @Option(names = "--from", paramLabel = "DATE", required = true, converter = DateArgument.class,
            description = "Range start, inclusive (UTC).")
    Instant from;

    @Option(names = "--to", paramLabel = "DATE", required = true, converter = DateArgument.class,
            description = "Range end, exclusive (UTC).")
    Instant to;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "csv",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "Output file; omit or use '-' for stdout.")
    String output;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("fetch is not implemented yet");
    }
}
