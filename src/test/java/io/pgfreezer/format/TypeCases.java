package io.pgfreezer.format;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Every Arrow type the writer accepts, with edge values, the Parquet type the specification
 * demands, and how DuckDB presents the same value. Each case becomes a scalar column and a list
 * column of the same element type.
 */
final class TypeCases {

    static final int ROWS = 10;

    /** Sets a read-back Java value into an Arrow vector; the inverse of what the reader returns. */
    @FunctionalInterface
    interface Setter {
        void set(FieldVector vector, int index, Object value);
    }

    /**
     * @param parquet Parquet declaration of a column named {@code %s}, as {@code parquet-java} prints it
     * @param duckSql DuckDB expression over a column {@code %s} giving a comparable JDBC value
     * @param duck    our value as that DuckDB expression returns it
     */
    record Case(String name, ArrowType arrowType, String logical, String pgType, List<Object> values,
                Setter setter, String parquet, String duckSql, java.util.function.Function<Object, Object> duck) {

        Field field(String fieldName, boolean nullable) {
            Map<String, String> metadata = new HashMap<>();
            metadata.put(ArchiveMetadata.PG_TYPE, pgType);
            if (logical != null) {
                metadata.put(ArchiveMetadata.LOGICAL, logical);
            }
            return new Field(fieldName, new FieldType(nullable, arrowType, null, metadata), null);
        }

        Field listField() {
            Map<String, String> metadata = Map.of(ArchiveMetadata.PG_TYPE, pgType + "[]");
            return new Field(name + "_list", new FieldType(true, new ArrowType.List(), null, metadata),
                    List.of(field("element", true)));
        }

        List<Object> nonNull() {
            return values.stream().filter(v -> v != null).toList();
        }

        /** Value of the scalar column in {@code row}. */
        Object scalar(int row) {
            return values.get(row % values.size());
        }

        /** Value of the list column in {@code row}: lists with NULL elements, empty, NULL, long. */
        List<Object> list(int row) {
            List<Object> present = nonNull();
            switch (row) {
                case 0:
                    return Arrays.asList(present.get(0), null, present.get(1));
                case 1:
                    return List.of();
                case 2:
                    return null;
                case 3:
                    return present;
                case 4:
                    return Arrays.asList((Object) null);
                default:
                    return List.of(present.get(row % present.size()));
            }
        }
    }

    private TypeCases() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("b", ArrowType.Bool.INSTANCE, null, "boolean",
                Arrays.asList(true, false, null),
                (v, i, x) -> ((BitVector) v).setSafe(i, (Boolean) x ? 1 : 0),
                "boolean %s", "%s", x -> x));
        cases.add(new Case("i16", new ArrowType.Int(16, true), null, "smallint",
                Arrays.asList(Short.MIN_VALUE, Short.MAX_VALUE, (short) 0, (short) -1, null),
                (v, i, x) -> ((SmallIntVector) v).setSafe(i, (Short) x),
                "int32 %s (INTEGER(16,true))", "%s", x -> x));
        cases.add(new Case("i32", new ArrowType.Int(32, true), null, "integer",
                Arrays.asList(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, null),
                (v, i, x) -> ((IntVector) v).setSafe(i, (Integer) x),
                "int32 %s", "%s", x -> x));
        cases.add(new Case("i64", new ArrowType.Int(64, true), null, "bigint",
                Arrays.asList(Long.MIN_VALUE, Long.MAX_VALUE, 0L, null),
                (v, i, x) -> ((BigIntVector) v).setSafe(i, (Long) x),
                "int64 %s", "%s", x -> x));
        cases.add(new Case("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), null, "real",
                Arrays.asList(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f,
                        Float.MIN_VALUE, Float.MAX_VALUE, 1.5f, null),
                (v, i, x) -> ((Float4Vector) v).setSafe(i, (Float) x),
                "float %s", "%s", x -> x));
        cases.add(new Case("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), null, "double precision",
                Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0d,
                        Double.MIN_VALUE, Double.MAX_VALUE, 0.1d, null),
                (v, i, x) -> ((Float8Vector) v).setSafe(i, (Double) x),
                "double %s", "%s", x -> x));
        cases.add(new Case("s", ArrowType.Utf8.INSTANCE, null, "text",
                Arrays.asList("", "plain", "Zürich – 東京 🚀", "line\nbreak \"quoted\", comma\ttab", null),
                (v, i, x) -> ((VarCharVector) v).setSafe(i, ((String) x).getBytes(StandardCharsets.UTF_8)),
                "binary %s (STRING)", "%s", x -> x));
        cases.add(new Case("j", ArrowType.Utf8.INSTANCE, ArchiveMetadata.LOGICAL_JSON, "jsonb",
                Arrays.asList(new JsonText("{\"a\": {\"b\": [1, 2.50, null, {\"c\": \"ü\\n\"}]},  \"z\":true}"),
                        new JsonText("[]"), new JsonText("\"just a string\""), new JsonText("null"), null),
                (v, i, x) -> ((VarCharVector) v).setSafe(i, ((JsonText) x).text().getBytes(StandardCharsets.UTF_8)),
                "binary %s (JSON)", "CAST(%s AS VARCHAR)", x -> ((JsonText) x).text()));
        cases.add(new Case("by", ArrowType.Binary.INSTANCE, null, "bytea",
                Arrays.asList(new byte[0], new byte[] {0, 1, 2, (byte) 0x80, (byte) 0xff}, null),
                (v, i, x) -> ((VarBinaryVector) v).setSafe(i, (byte[]) x),
                "binary %s", "hex(%s)", x -> HexFormat.of().withUpperCase().formatHex((byte[]) x)));
        cases.add(new Case("u", new ArrowType.FixedSizeBinary(16), ArchiveMetadata.LOGICAL_UUID, "uuid",
                Arrays.asList(UUID.fromString("00000000-0000-0000-0000-000000000000"),
                        UUID.fromString("ffffffff-ffff-ffff-ffff-ffffffffffff"),
                        UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), null),
                (v, i, x) -> ((FixedSizeBinaryVector) v).setSafe(i, uuidBytes((UUID) x)),
                "fixed_len_byte_array(16) %s (UUID)", "CAST(%s AS VARCHAR)", Object::toString));
        cases.add(decimal("d9", 9, 2, "9999999.99", "-9999999.99", "0.00", "-0.01"));
        cases.add(decimal("d18", 18, 6, "999999999999.999999", "-999999999999.999999", "0.000001", "-0.000001"));
        cases.add(decimal("d20", 20, 0, "99999999999999999999", "-99999999999999999999", "0", "-1"));
        cases.add(decimal("d38", 38, 10, "9999999999999999999999999999.9999999999",
                "-9999999999999999999999999999.9999999999", "-0.0000000001", "123.4560000000"));
        cases.add(new Case("dt", new ArrowType.Date(DateUnit.DAY), null, "date",
                Arrays.asList(LocalDate.of(1969, 12, 31), LocalDate.of(1970, 1, 1), LocalDate.of(1900, 2, 28),
                        LocalDate.of(2024, 2, 29), LocalDate.of(9999, 12, 31), null),
                (v, i, x) -> ((DateDayVector) v).setSafe(i, (int) ((LocalDate) x).toEpochDay()),
                "int32 %s (DATE)", "CAST(%s AS VARCHAR)", Object::toString));
        cases.add(new Case("tstz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"), null, "timestamp with time zone",
                Arrays.asList(Instant.parse("1969-12-31T23:59:59.999999Z"), Instant.parse("1970-01-01T00:00:00Z"),
                        Instant.parse("1900-01-01T00:00:00.000001Z"), Instant.parse("2024-02-29T12:34:56.123456Z"), null),
                (v, i, x) -> ((TimeStampMicroTZVector) v).setSafe(i, micros((Instant) x)),
                "int64 %s (TIMESTAMP(MICROS,true))", "epoch_us(%s)", x -> micros((Instant) x)));
        cases.add(new Case("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null), null, "timestamp without time zone",
                Arrays.asList(LocalDateTime.parse("1969-12-31T23:59:59.999999"), LocalDateTime.parse("1970-01-01T00:00:00"),
                        LocalDateTime.parse("1900-01-01T00:00:00.000001"), LocalDateTime.parse("2024-02-29T12:34:56.123456"), null),
                (v, i, x) -> ((TimeStampMicroVector) v).setSafe(i, micros(((LocalDateTime) x).toInstant(ZoneOffset.UTC))),
                "int64 %s (TIMESTAMP(MICROS,false))", "epoch_us(%s)", x -> micros(((LocalDateTime) x).toInstant(ZoneOffset.UTC))));
        cases.add(new Case("t", new ArrowType.Time(TimeUnit.MICROSECOND, 64), null, "time without time zone",
                Arrays.asList(LocalTime.MIDNIGHT, LocalTime.parse("23:59:59.999999"), LocalTime.parse("12:34:56.000001"), null),
                (v, i, x) -> ((TimeMicroVector) v).setSafe(i, ((LocalTime) x).toNanoOfDay() / 1000),
                "int64 %s (TIME(MICROS,false))", "epoch_us(DATE '1970-01-01' + %s)",
                x -> ((LocalTime) x).toNanoOfDay() / 1000));
        return cases;
    }

    private static Case decimal(String name, int precision, int scale, String... values) {
        List<Object> decimals = new ArrayList<>();
        for (String value : values) {
            decimals.add(new BigDecimal(value).setScale(scale));
        }
        decimals.add(null);
        String physical = precision <= 9 ? "int32" : precision <= 18 ? "int64"
                : "fixed_len_byte_array(" + ArrowToParquet.decimalBytes(precision) + ")";
        return new Case(name, new ArrowType.Decimal(precision, scale, 128), null, "numeric",
                decimals,
                (v, i, x) -> ((DecimalVector) v).setSafe(i, (BigDecimal) x),
                physical + " %s (DECIMAL(" + precision + "," + scale + "))", "%s", x -> x);
    }

    /** The scalar column of each case, then its list column. */
    static Schema schema(List<Case> cases) {
        List<Field> fields = new ArrayList<>();
        for (Case c : cases) {
            fields.add(c.field(c.name(), true));
        }
        for (Case c : cases) {
            fields.add(c.listField());
        }
        return new Schema(fields);
    }

    /** Fills {@code root} with rows {@code [from, to)} of the fixture. */
    static void fill(VectorSchemaRoot root, List<Case> cases, int from, int to) {
        root.allocateNew();
        int n = cases.size();
        for (int row = from; row < to; row++) {
            int index = row - from;
            for (int c = 0; c < n; c++) {
                Case tc = cases.get(c);
                Object value = tc.scalar(row);
                FieldVector vector = root.getVector(c);
                if (value != null) {
                    tc.setter().set(vector, index, value);
                }
                ListVector list = (ListVector) root.getVector(n + c);
                List<Object> elements = tc.list(row);
                if (elements == null) {
                    list.setNull(index);
                    continue;
                }
                int start = list.startNewValue(index);
                FieldVector data = list.getDataVector();
                for (int e = 0; e < elements.size(); e++) {
                    Object element = elements.get(e);
                    if (element != null) {
                        tc.setter().set(data, start + e, element);
                    }
                }
                list.endValue(index, elements.size());
            }
        }
        root.setRowCount(to - from);
    }

    /** Expected row {@code row}: scalar values, then lists. */
    static Object[] expectedRow(List<Case> cases, int row) {
        int n = cases.size();
        Object[] values = new Object[2 * n];
        for (int c = 0; c < n; c++) {
            values[c] = cases.get(c).scalar(row);
            values[n + c] = cases.get(c).list(row);
        }
        return values;
    }

    static byte[] uuidBytes(UUID uuid) {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
    }

    static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }
}
