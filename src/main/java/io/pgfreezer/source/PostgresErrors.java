package io.pgfreezer.source;

import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Which PostgreSQL failures are worth retrying, by SQLSTATE: the connection or the server went
 * away, a transaction lost a race, a lock or a statement timed out, the server ran short of
 * resources. Authentication, privileges, syntax, unknown objects and bad data are permanent:
 * trying again only repeats them.
 */
final class PostgresErrors {
    /** Whole classes: 08 connection exception, 53 insufficient resources. */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53");
    private static final Set<String> TRANSIENT_STATES = Set.of(
            "40001", // serialization_failure
            "40P01", // deadlock_detected
            "55P03", // lock_not_available (lock_timeout)
            "57014", // query_canceled (statement_timeout, or a cancel by an administrator)
            "57P01", // admin_shutdown
            "57P02", // crash_shutdown
            "57P03"); // cannot_connect_now (starting up, or in recovery)

    private PostgresErrors() {
    }

    static boolean isTransient(String sqlState, Throwable cause) {
        if (sqlState != null && sqlState.length() == 5) {
            return TRANSIENT_CLASSES.contains(sqlState.substring(0, 2)) || TRANSIENT_STATES.contains(sqlState);
        }
        // No SQLSTATE: the pool timing out for a connection says so by type.
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException) {
                return true;
            }
        }
        return false;
    }
}
