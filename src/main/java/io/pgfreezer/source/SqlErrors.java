package io.pgfreezer.source;

import io.pgfreezer.FreezerException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;

/**
 * A database error as one line for an operator. The driver's own message spreads PostgreSQL's
 * Detail, Hint, Where and Position over several lines; the primary message, detail and hint
 * are what say what to fix, and the internal query positions and PL/pgSQL call stacks are left
 * out.
 */
final class SqlErrors {
    private SqlErrors() {
    }

    static String describe(SQLException e) {
        ServerErrorMessage server = e instanceof PSQLException pe ? pe.getServerErrorMessage() : null;
        if (server == null || server.getMessage() == null) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : FreezerException.oneLine(e.getMessage());
        }
        StringBuilder line = new StringBuilder(server.getMessage());
        if (server.getDetail() != null) {
            line.append(" (detail: ").append(server.getDetail()).append(')');
        }
        if (server.getHint() != null) {
            line.append(" (hint: ").append(server.getHint()).append(')');
        }
        return FreezerException.oneLine(line.toString());
    }

    /**
     * Whether an error of a statement that applies {@code extra_filters} is likely the filter's:
     * the rest of every such statement is generated from the catalog and bound parameters, so
     * bad syntax, unknown names (class 42) and bad values (class 22) come from the operator's SQL.
     */
    static boolean blamesTheFilter(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("42") || state.startsWith("22"));
    }
}
