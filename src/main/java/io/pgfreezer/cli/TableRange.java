package io.pgfreezer.cli;

import io.pgfreezer.config.ConfigException;
import picocli.CommandLine.Option;

import java.time.Instant;

/** {@code -t/--table}, {@code --from} and {@code --to}, all required: the range of one table. */
final class TableRange {
    @Option(names = {"-t", "--table"}, paramLabel = "TEXT", required = true, description = "Table (name or schema.name).")
    String table;

    @Option(names = "--from", paramLabel = "DATE", required = true, converter = DateArgument.class,
            description = "Range start, inclusive (UTC).")
    Instant from;

    @Option(names = "--to", paramLabel = "DATE", required = true, converter = DateArgument.class,
            description = "Range end, exclusive (UTC).")
    Instant to;

    /** An empty or reversed range is a usage error, not an empty result. */
    TableRange requireOrdered() {
        if (!from.isBefore(to)) {
            throw new ConfigException("--from " + from + " must be before --to " + to);
        }
        return this;
    }
}
