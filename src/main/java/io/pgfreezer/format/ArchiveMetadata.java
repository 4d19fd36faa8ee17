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

    private ArchiveMetadata() {
    }
}
