package io.pgfreezer.fetch;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes fetched rows in one output format. Calls come in the order {@code begin}, any number of
 * {@code row} and {@code flush}, then {@code end}. The writer never closes the {@link Writer} it
 * writes to.
 */
public interface RowWriter {

    /**
     * @param columns the output columns; empty when no file was found, so none are known
     */
    void begin(List<String> columns) throws IOException;

    /** One row, a value (or null) per column of {@link #begin}, in that order. */
    void row(Object[] values) throws IOException;

    /** Pushes what is buffered to the underlying writer and flushes it. */
    void flush() throws IOException;

    /** Completes the document (the closing bracket of a JSON array) and flushes. */
    void end() throws IOException;

    /** The three formats of {@code fetch --format}. */
    enum Format {
        CSV, JSON, JSONL;

        public RowWriter on(Writer out) {
            return switch (this) {
                case CSV -> new CsvRowWriter(out);
                case JSON -> JsonRowWriter.array(out);
                case JSONL -> JsonRowWriter.lines(out);
            };
        }
    }
}
