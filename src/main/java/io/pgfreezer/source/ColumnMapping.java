package io.pgfreezer.source;

import io.pgfreezer.format.ArchiveMetadata;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How one PostgreSQL column becomes one Arrow field, and how its values move from a JDBC row
 * into that field's vector. The mapping is decided once from the catalog, before the file's
 * schema is fixed, so a value never changes a column's type part-way through a file.
 */
public final class ColumnMapping {
    private static final String PG_TYPE = ArchiveMetadata.PG_TYPE;
    private static final String LOGICAL = ArchiveMetadata.LOGICAL;

    /** Widest DECIMAL Parquet readers (Spark, Trino, Athena) all agree on. */
    private static final int MAX_DECIMAL_PRECISION = 38;

    private final SourceColumn column;
    private final Field field;
    private final Kind kind;
    private final Kind elementKind;
    private final String fallbackReason;

    private enum Kind {
        BOOL, INT16, INT32, INT64, FLOAT32, FLOAT64, DECIMAL, TEXT, JSON, BYTES, UUID, DATE,
        TIMESTAMP, TIMESTAMPTZ, TIME, LIST, AS_TEXT
    }

    private ColumnMapping(SourceColumn column, Field field, Kind kind, Kind elementKind, String fallbackReason) {
        this.column = column;
        this.field = field;
        this.kind = kind;
        this.elementKind = elementKind;
        this.fallbackReason = fallbackReason;
    }

    public static ColumnMapping of(SourceColumn c) {
        if (c.elementType() != null) {
            Kind element = scalarKind(c.elementType(), c.typmod());
            if (element == null || element == Kind.AS_TEXT) {
                return asText(c, "arrays of " + c.elementType() + " have no Parquet mapping");
            }
            Field child = new Field("element", fieldType(element, c.elementType(), c.typmod(), Map.of()), null);
            Field list = new Field(c.name(), fieldType(Kind.LIST, c.pgType(), c.typmod(),
                    Map.of(PG_TYPE, c.displayType())), List.of(child));
            return new ColumnMapping(c, list, Kind.LIST, element, null);
        }
        if (c.kind() == 'e') {
            return new ColumnMapping(c, new Field(c.name(), fieldType(Kind.TEXT, c.pgType(), -1,
                    Map.of(PG_TYPE, c.displayType())), null), Kind.TEXT, null, null);
        }
        Kind k = scalarKind(c.pgType(), c.typmod());
        if (k == null) {
            return asText(c, "type " + c.displayType() + " has no exact Parquet mapping");
        }
        if (k == Kind.AS_TEXT) {
            return asText(c, "numeric without a declared precision (or above " + MAX_DECIMAL_PRECISION
                    + " digits) cannot be a Parquet DECIMAL; its exact text is kept");
        }
        Map<String, String> meta = new HashMap<>();
        meta.put(PG_TYPE, c.displayType());
        if (k == Kind.JSON) {
            meta.put(LOGICAL, ArchiveMetadata.LOGICAL_JSON);
        } else if (k == Kind.UUID) {
            meta.put(LOGICAL, ArchiveMetadata.LOGICAL_UUID);
        }
        return new ColumnMapping(c, new Field(c.name(), fieldType(k, c.pgType(), c.typmod(), meta), null), k, null, null);
    }

    private static ColumnMapping asText(SourceColumn c, String reason) {
        Field f = new Field(c.name(), fieldType(Kind.TEXT, c.pgType(), -1, Map.of(PG_TYPE, c.displayType())), null);
        return new ColumnMapping(c, f, Kind.AS_TEXT, null, reason);
    }

    private static Kind scalarKind(String pgType, int typmod) {
        return switch (pgType) {
            case "bool" -> Kind.BOOL;
            case "int2" -> Kind.INT16;
            case "int4" -> Kind.INT32;
            case "int8", "oid" -> Kind.INT64;
            case "float4" -> Kind.FLOAT32;
            case "float8" -> Kind.FLOAT64;
            case "numeric" -> decimalPrecision(typmod) > 0 && decimalPrecision(typmod) <= MAX_DECIMAL_PRECISION
                    ? Kind.DECIMAL : Kind.AS_TEXT;
            case "text", "varchar", "bpchar", "name", "char", "citext" -> Kind.TEXT;
            case "json", "jsonb" -> Kind.JSON;
            case "bytea" -> Kind.BYTES;
            case "uuid" -> Kind.UUID;
            case "date" -> Kind.DATE;
            case "timestamp" -> Kind.TIMESTAMP;
            case "timestamptz" -> Kind.TIMESTAMPTZ;
            case "time" -> Kind.TIME;
            default -> null;
        };
    }

    /** numeric's typmod packs ((precision << 16) | scale) + 4; -1 means unconstrained. */
    static int decimalPrecision(int typmod) {
        return typmod < 4 ? -1 : ((typmod - 4) >> 16) & 0xffff;
    }

    static int decimalScale(int typmod) {
        return typmod < 4 ? -1 : (typmod - 4) & 0xffff;
    }

    private static FieldType fieldType(Kind k, String pgType, int typmod, Map<String, String> meta) {
        ArrowType t = switch (k) {
            case BOOL -> ArrowType.Bool.INSTANCE;
            case INT16 -> new ArrowType.Int(16, true);
            case INT32 -> new ArrowType.Int(32, true);
            case INT64 -> new ArrowType.Int(64, true);
            case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case DECIMAL -> new ArrowType.Decimal(decimalPrecision(typmod), decimalScale(typmod), 128);
            case TEXT, JSON, AS_TEXT -> ArrowType.Utf8.INSTANCE;
            case BYTES -> ArrowType.Binary.INSTANCE;
            case UUID -> new ArrowType.FixedSizeBinary(16);
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
            case TIMESTAMPTZ -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
            case TIME -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
            case LIST -> ArrowType.List.INSTANCE;
        };
        return new FieldType(true, t, null, meta.isEmpty() ? null : meta);
    }

    public Field field() {
        return field;
    }

    public SourceColumn column() {
        return column;
    }

    /** Why this column is stored as text instead of its own type; null when it is not. */
    public String fallbackReason() {
        return fallbackReason;
    }

    /**
     * Reads column {@code index} of the current row and stores it at {@code row} of
     * {@code vector}. Returns an estimate of the bytes it added, so batches can be cut by size.
     */
    int copy(ResultSet rs, int index, FieldVector vector, int row) throws SQLException {
        if (kind == Kind.LIST) {
            Array array = rs.getArray(index);
            if (array == null) {
                vector.setNull(row);
                return 1;
            }
            Object[] values = (Object[]) array.getArray();
            ListVector list = (ListVector) vector;
            int offset = list.startNewValue(row);
            FieldVector child = list.getDataVector();
            int bytes = 8;
            for (int i = 0; i < values.length; i++) {
                bytes += setValue(elementKind, child, offset + i, values[i]);
            }
            list.endValue(row, values.length);
            return bytes;
        }
        Object value = read(rs, index);
        if (value == null) {
            vector.setNull(row);
            return 1;
        }
        return setValue(kind, vector, row, value);
    }

    private Object read(ResultSet rs, int index) throws SQLException {
        return switch (kind) {
            case BOOL -> nullable(rs, rs.getBoolean(index));
            case INT16 -> nullable(rs, rs.getShort(index));
            case INT32 -> nullable(rs, rs.getInt(index));
            case INT64 -> nullable(rs, rs.getLong(index));
            case FLOAT32 -> nullable(rs, rs.getFloat(index));
            case FLOAT64 -> nullable(rs, rs.getDouble(index));
            case DECIMAL -> rs.getBigDecimal(index);
            case TEXT, JSON, AS_TEXT -> rs.getString(index);
            case BYTES -> rs.getBytes(index);
            case UUID -> rs.getObject(index, UUID.class);
            case DATE -> rs.getObject(index, LocalDate.class);
            case TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
            case TIMESTAMPTZ -> rs.getObject(index, OffsetDateTime.class);
            case TIME -> rs.getObject(index, LocalTime.class);
            case LIST -> throw new IllegalStateException("lists are read in copy()");
        };
    }

    private static Object nullable(ResultSet rs, Object value) throws SQLException {
        return rs.wasNull() ? null : value;
    }

    private int setValue(Kind k, FieldVector vector, int row, Object value) {
        if (value == null) {
            vector.setNull(row);
            return 1;
        }
        switch (k) {
            case BOOL -> ((BitVector) vector).setSafe(row, ((Boolean) value) ? 1 : 0);
            case INT16 -> ((SmallIntVector) vector).setSafe(row, ((Number) value).shortValue());
            case INT32 -> ((IntVector) vector).setSafe(row, ((Number) value).intValue());
            case INT64 -> ((BigIntVector) vector).setSafe(row, ((Number) value).longValue());
            case FLOAT32 -> ((Float4Vector) vector).setSafe(row, ((Number) value).floatValue());
            case FLOAT64 -> ((Float8Vector) vector).setSafe(row, ((Number) value).doubleValue());
            case DECIMAL -> {
                DecimalVector dv = (DecimalVector) vector;
                BigDecimal d = (BigDecimal) value;
                if (d.scale() != dv.getScale()) {
                    d = d.setScale(dv.getScale());
                }
                dv.setSafe(row, d);
            }
            case TEXT, JSON, AS_TEXT -> {
                byte[] b = value.toString().getBytes(StandardCharsets.UTF_8);
                ((VarCharVector) vector).setSafe(row, b);
                return b.length + 4;
            }
            case BYTES -> {
                byte[] b = (byte[]) value;
                ((VarBinaryVector) vector).setSafe(row, b);
                return b.length + 4;
            }
            case UUID -> ((FixedSizeBinaryVector) vector).setSafe(row, uuidBytes((UUID) value));
            case DATE -> ((DateDayVector) vector).setSafe(row, Math.toIntExact(finite((LocalDate) value).toEpochDay()));
            case TIMESTAMP -> ((TimeStampMicroVector) vector).setSafe(row, micros(localTimestamp(value)));
            case TIMESTAMPTZ -> ((TimeStampMicroTZVector) vector).setSafe(row, micros(instant(value)));
            case TIME -> ((TimeMicroVector) vector).setSafe(row, ((LocalTime) value).toNanoOfDay() / 1_000);
            case LIST -> throw new IllegalStateException("nested lists are not mapped");
        }
        return 8;
    }

    private LocalDate finite(LocalDate d) {
        if (d.equals(LocalDate.MAX) || d.equals(LocalDate.MIN)) {
            throw infinite();
        }
        return d;
    }

    private Instant instant(Object value) {
        if (value instanceof OffsetDateTime odt) {
            if (odt.equals(OffsetDateTime.MAX) || odt.equals(OffsetDateTime.MIN)) {
                throw infinite();
            }
            return odt.toInstant();
        }
        return ((Timestamp) value).toInstant();
    }

    private LocalDateTime localTimestamp(Object value) {
        LocalDateTime t = value instanceof Timestamp ts ? ts.toLocalDateTime() : (LocalDateTime) value;
        if (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN)) {
            throw infinite();
        }
        return t;
    }

    private UnconvertibleValueException infinite() {
        return new UnconvertibleValueException("column " + column.name() + " holds an infinite "
                + column.displayType() + ", which Parquet cannot represent; exclude it with extra_filters "
                + "or replace it in PostgreSQL, then retry with --force");
    }

    private static long micros(LocalDateTime t) {
        return micros(t.toInstant(ZoneOffset.UTC));
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static byte[] uuidBytes(UUID u) {
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }
}
