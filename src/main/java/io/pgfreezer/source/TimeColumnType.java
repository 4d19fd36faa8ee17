package io.pgfreezer.source;

/**
 * The types a table's timestamp column may have. Window bounds are bound as parameters of the
 * column's own type so PostgreSQL can use an index on it; {@code timestamp} and {@code date}
 * are read as UTC.
 */
public enum TimeColumnType {
    TIMESTAMPTZ, TIMESTAMP, DATE;

    static TimeColumnType of(String pgType) {
        return switch (pgType) {
            case "timestamptz" -> TIMESTAMPTZ;
            case "timestamp" -> TIMESTAMP;
            case "date" -> DATE;
            default -> null;
        };
    }
}
