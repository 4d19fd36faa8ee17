package io.pgfreezer.format;

/**
 * Metadata keys shared by the source (on Arrow fields), the writer and the reader (in the Parquet
 * footer).
 */
public final class ArchiveMetadata {

    /** Arrow field metadata: the PostgreSQL type name of the column, e.g. {@code jsonb}. */
    public static final String PG_TYPE = "pg_freezer.pg_type";

    /** Arrow field metadata: a logical type the Arrow type alone does not carry. */
    public static final String LOGICAL = "pg_freezer.logical";

    /** {@link #LOGICAL} value on a Utf8 field holding JSON document text. */
    public static final String LOGICAL_JSON = "json";

    /** {@link #LOGICAL} value on a FixedSizeBinary(16) field holding a UUID. */
    public static final String LOGICAL_UUID = "uuid";

    /** Parquet key-value metadata: a JSON object mapping column name to PostgreSQL type name. */
    public static final String PG_TYPES = "pg_freezer.pg_types";

    /** Arrow field metadata: the PostgreSQL wire form export decoded the column from ({@link PgWire}). */
    public static final String WIRE = "pg_freezer.wire";

    /** Parquet key-value metadata: a JSON object mapping column name to its {@link #WIRE} spec. */
    public static final String PG_WIRE = "pg_freezer.pg_wire";

    /**
     * Parquet key-value metadata, written when the file is finished: hex SHA-256 of the values
     * exactly as PostgreSQL sent them (see {@link ValueDigest}); verification recomputes it from
     * the archived values.
     */
    public static final String VALUE_DIGEST = "pg_freezer.value_digest";

    /**
     * Spark reads dates and timestamps of files without this key through its legacy hybrid
     * calendar (or refuses them); any version from 3.0 on means proleptic Gregorian, which is
     * what PostgreSQL and this writer use.
     */
    public static final String SPARK_VERSION = "org.apache.spark.version";
    public static final String SPARK_VERSION_VALUE = "3.0.0";

    private ArchiveMetadata() {
    }
}
