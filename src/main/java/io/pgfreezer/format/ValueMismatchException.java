package io.pgfreezer.format;

/** The archived values are not the values PostgreSQL sent at export; nothing may be deleted. */
public class ValueMismatchException extends FormatException {
    private static final long serialVersionUID = 1L;

    public ValueMismatchException(String message) {
        super(message);
    }
}
