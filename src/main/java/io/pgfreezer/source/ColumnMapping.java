package io.pgfreezer.source;

import io.pgfreezer.format.ArchiveMetadata;
import io.pgfreezer.format.PgWire;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The type choice: what Arrow (and so Parquet) type a PostgreSQL column becomes, which binary wire
 * form export reads it in, and what the COPY selects for it. Decided once from the catalog before
 * the file's schema is fixed, so a value never changes a column's type part-way through a file.
 * Decoding the wire form is {@link WireDecoder}'s job.
 *
 * <p>The default types are the ones Spark 3.5/4.x, Trino's Hive connector, DuckDB and Athena all
 * read without a hand-written schema: a {@code uuid} is its text form and a {@code time} its
 * {@code HH:MM:SS[.ffffff]} text (neither the UUID nor the TIME annotation is read by Spark).
 */
public final class ColumnMapping {
    private static final String PG_TYPE = ArchiveMetadata.PG_TYPE;
    private static final String LOGICAL = ArchiveMetadata.LOGICAL;

    /** Widest DECIMAL Parquet readers (Spark, Trino, Athena) all agree on. */
    static final int MAX_DECIMAL_PRECISION = 38;

    private final SourceColumn column;
    private final Field field;
    private final PgWire wire;
    private final boolean array;
    private final String selectExpression;
    private final String fallbackReason;

    private ColumnMapping(SourceColumn column, Field field, PgWire wire, boolean array, String selectExpression,
                          String fallbackReason) {
        this.column = column;
        this.field = field;
        this.wire = wire;
        this.array = array;
        this.selectExpression = selectExpression;
        this.fallbackReason = fallbackReason;
    }

    public static ColumnMapping of(SourceColumn c) {
        String quoted = Identifiers.quote(c.name());
        if (c.elementType() != null) {
            PgWire element = c.elementKind() == 'e' ? PgWire.TEXT : scalarWire(c.elementType(), c.typmod());
            if (element == null || c.elementOid() == 0) {
                return asText(c, "arrays of " + c.elementType() + " have no Parquet mapping");
            }
            String spec = PgWire.arraySpec(c.elementOid(), element);
            Map<String, String> elementMeta = logical(element);
            Field child = new Field("element", new FieldType(true, arrowType(element, c.typmod()), null,
                    elementMeta.isEmpty() ? null : elementMeta), null);
            Field list = new Field(c.name(), new FieldType(true, ArrowType.List.INSTANCE, null,
                    Map.of(PG_TYPE, c.displayType(), ArchiveMetadata.WIRE, spec)), List.of(child));
            return new ColumnMapping(c, list, element, true, quoted, null);
        }
        PgWire wire = c.kind() == 'e' ? PgWire.TEXT : scalarWire(c.pgType(), c.typmod());
        if (wire == null && c.pgType().equals("numeric")) {
            return asText(c, "numeric without a declared precision (or above " + MAX_DECIMAL_PRECISION
                    + " digits) cannot be a Parquet DECIMAL; its exact text is kept");
        }
        if (wire == null) {
            return asText(c, "type " + c.displayType() + " has no exact Parquet mapping");
        }
        Map<String, String> meta = new HashMap<>(logical(wire));
        meta.put(PG_TYPE, c.displayType());
        meta.put(ArchiveMetadata.WIRE, wire.spec());
        return new ColumnMapping(c, new Field(c.name(), new FieldType(true, arrowType(wire, c.typmod()), null, meta),
                null), wire, false, quoted, null);
    }

    private static ColumnMapping asText(SourceColumn c, String reason) {
        Field f = new Field(c.name(), new FieldType(true, ArrowType.Utf8.INSTANCE, null,
                Map.of(PG_TYPE, c.displayType(), ArchiveMetadata.WIRE, PgWire.TEXT.spec())), null);
        // PostgreSQL renders the text under the export's pinned session settings.
        return new ColumnMapping(c, f, PgWire.TEXT, false, Identifiers.quote(c.name()) + "::text", reason);
    }

    private static Map<String, String> logical(PgWire wire) {
        return wire == PgWire.JSON || wire == PgWire.JSONB ? Map.of(LOGICAL, ArchiveMetadata.LOGICAL_JSON) : Map.of();
    }

    /** The binary form read natively, or null when PostgreSQL's text form is archived instead. */
    private static PgWire scalarWire(String pgType, int typmod) {
        return switch (pgType) {
            case "bool" -> PgWire.BOOL;
            case "int2" -> PgWire.INT2;
            case "int4" -> PgWire.INT4;
            case "int8" -> PgWire.INT8;
            case "oid" -> PgWire.OID;
            case "float4" -> PgWire.FLOAT4;
            case "float8" -> PgWire.FLOAT8;
            case "numeric" -> decimalPrecision(typmod) > 0 && archivedPrecision(typmod) <= MAX_DECIMAL_PRECISION
                    ? PgWire.NUMERIC : null;
            // Their binary form is the text in the client encoding (UTF-8); "char" is a raw byte
            // and citext an extension type, so both go through their text output instead.
            case "text", "varchar", "bpchar", "name" -> PgWire.TEXT;
            case "json" -> PgWire.JSON;
            case "jsonb" -> PgWire.JSONB;
            case "bytea" -> PgWire.BYTEA;
            case "uuid" -> PgWire.UUID;
            case "date" -> PgWire.DATE;
            case "timestamp" -> PgWire.TIMESTAMP;
            case "timestamptz" -> PgWire.TIMESTAMPTZ;
            case "time" -> PgWire.TIME;
            default -> null;
        };
    }

    /** numeric's typmod packs ((precision << 16) | (scale & 0x7ff)) + 4, scale an 11-bit signed value; -1 means unconstrained. */
    static int decimalPrecision(int typmod) {
        return typmod < 4 ? -1 : ((typmod - 4) >> 16) & 0xffff;
    }

    static int decimalScale(int typmod) {
        if (typmod < 4) {
            return -1;
        }
        // PostgreSQL 15+ allows scales from -1000 to 1000, stored as 11 bits two's complement.
        return (((typmod - 4) & 0x7ff) ^ 0x400) - 0x400;
    }

    /**
     * Parquet requires 0 ≤ scale ≤ precision. numeric(p,s) with s < 0 holds integers of up to
     * p - s digits, and with s > p fractions of s digits: both fit DECIMAL(max(p, p - s, s), max(s, 0)).
     */
    static int archivedPrecision(int typmod) {
        int p = decimalPrecision(typmod);
        int s = decimalScale(typmod);
        return s < 0 ? p - s : Math.max(p, s);
    }

    static int archivedScale(int typmod) {
        return Math.max(decimalScale(typmod), 0);
    }

    private static ArrowType arrowType(PgWire wire, int typmod) {
        return switch (wire) {
            case BOOL -> ArrowType.Bool.INSTANCE;
            case INT2 -> new ArrowType.Int(16, true);
            case INT4 -> new ArrowType.Int(32, true);
            case INT8, OID -> new ArrowType.Int(64, true);
            case FLOAT4 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case FLOAT8 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case NUMERIC -> new ArrowType.Decimal(archivedPrecision(typmod), archivedScale(typmod), 128);
            case TEXT, JSON, JSONB, UUID, TIME -> ArrowType.Utf8.INSTANCE;
            case BYTEA -> ArrowType.Binary.INSTANCE;
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
            case TIMESTAMPTZ -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
        };
    }

    public Field field() {
        return field;
    }

    public SourceColumn column() {
        return column;
    }

    /** The binary form of the column's values (of its elements, for an array). */
    PgWire wire() {
        return wire;
    }

    boolean isArray() {
        return array;
    }

    /** What the export's COPY selects for this column. */
    String selectExpression() {
        return selectExpression;
    }

    /** Why this column is stored as text instead of its own type; null when it is not. */
    public String fallbackReason() {
        return fallbackReason;
    }
}
