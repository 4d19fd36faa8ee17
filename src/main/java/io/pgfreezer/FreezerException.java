package io.pgfreezer;

/**
 * Root of every failure pg-freezer reports on purpose. The message is written for an operator:
 * it names what is wrong and, where it can, what to do about it. It never carries a secret.
 * Anything that is not a {@code FreezerException} reaching the CLI is a bug and is reported as one.
 */
public class FreezerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Process exit codes shared by every command. */
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    /**
     * The run could not finish because the database or storage was unreachable or overloaded,
     * still after the in-run retries; nothing needs an operator (sysexits' EX_TEMPFAIL).
     */
    public static final int EXIT_TRANSIENT = 75;

    private final int exitCode;

    public FreezerException(String message) {
        this(message, null, EXIT_FAILURE);
    }

    public FreezerException(String message, Throwable cause) {
        this(message, cause, EXIT_FAILURE);
    }

    protected FreezerException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /**
     * Whether the same step may succeed if tried again shortly: the database or the storage was
     * unreachable, overloaded or briefly refused (a dropped connection, a deadlock, throttling).
     * Decided once, where the failure is caught and its cause is known; everything else
     * (credentials, syntax, a missing bucket, a bad value) is permanent and fails fast.
     */
    public boolean isTransient() {
        return false;
    }

    /**
     * {@code text} as one line: line breaks and the indentation after them become "; ". Log
     * collectors and cron mail split on newlines, and drivers (PostgreSQL's Detail, Hint, Where
     * and Position) and libraries write multi-line messages.
     */
    public static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
