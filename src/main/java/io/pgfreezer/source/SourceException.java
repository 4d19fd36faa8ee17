package io.pgfreezer.source;

import io.pgfreezer.FreezerException;

/** PostgreSQL refused or failed an operation. Carries the SQLState when the driver gave one. */
public class SourceException extends FreezerException {
    private static final long serialVersionUID = 1L;
    private final String sqlState;

    public SourceException(String message) {
        this(message, null, null);
    }

    public SourceException(String message, String sqlState, Throwable cause) {
        // One line whatever the driver wrote: the summary, the log and cron mail are read line by line.
        super(oneLine(sqlState == null ? message : message + " [SQLSTATE " + sqlState + "]"), cause);
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }

    @Override
    public boolean isTransient() {
        return PostgresErrors.isTransient(sqlState, getCause());
    }
}
