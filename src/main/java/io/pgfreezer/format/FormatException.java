package io.pgfreezer.format;

import io.pgfreezer.FreezerException;

/** A Parquet file could not be written, or one read back does not decode or does not match. */
public class FormatException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
