package io.pgfreezer.source;

/**
 * A value cannot be written under the column type the file's schema fixed (for example an
 * {@code infinity} timestamp, which Parquet cannot represent). The batch fails with this message
 * rather than writing a file whose columns change type part-way.
 */
public class UnconvertibleValueException extends SourceException {
    private static final long serialVersionUID = 1L;

    public UnconvertibleValueException(String message) {
        super(message);
    }
}
