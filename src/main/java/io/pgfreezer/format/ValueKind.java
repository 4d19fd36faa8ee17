package io.pgfreezer.format;

/**
 * What a column's values are as Java objects when read back. A list column yields
 * {@code java.util.List} of the element kind's type, with {@code null} for NULL elements.
 */
public enum ValueKind {
    BOOLEAN(Boolean.class),
    /** 16-bit integers (PostgreSQL {@code smallint}). */
    SHORT(Short.class),
    INT(Integer.class),
    LONG(Long.class),
    FLOAT(Float.class),
    DOUBLE(Double.class),
    /** Exact, at the column's scale. */
    DECIMAL(java.math.BigDecimal.class),
    STRING(String.class),
    /** JSON document text exactly as stored; emit it as JSON, not as a quoted string. */
    JSON(JsonText.class),
    BYTES(byte[].class),
    UUID(java.util.UUID.class),
    DATE(java.time.LocalDate.class),
    TIME(java.time.LocalTime.class),
    /** A timestamp adjusted to UTC: an instant ({@code timestamptz}). */
    TIMESTAMP_UTC(java.time.Instant.class),
    /** A timestamp without time zone: a wall-clock date and time ({@code timestamp}). */
    TIMESTAMP_LOCAL(java.time.LocalDateTime.class);

    private final Class<?> javaType;

    ValueKind(Class<?> javaType) {
        this.javaType = javaType;
    }

    /** The class of a non-null value (of an element, for a list column). */
    public Class<?> javaType() {
        return javaType;
    }
}
