package io.pgfreezer.source;

/**
 * Every schema, table and column name reaches SQL through here, so names with capitals, spaces
 * or quotes work and none can inject SQL. Only {@code extra_filters} bypasses it, by design.
 */
public final class Identifiers {
    private Identifiers() {
    }

    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    public static String qualified(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    /** A string constant, for the few statements that take no bind parameters. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
