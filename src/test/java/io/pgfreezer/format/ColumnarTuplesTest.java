package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pgfreezer.config.GlobalConfig.Compression;

/**
 * The column-by-column decoding gives, row for row, the bytes the row-by-row path gives
 * (a row of Java objects through {@link PgBinaryEncoder}), over every wire form export records,
 * with NULLs, edge values, arrays, dictionary and plain pages, several row groups and batches.
 */
class ColumnarTuplesTest {

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @TempDir
    Path dir;

    /** A column: a case of values, the wire form export records for it, and its array's. */
    record WireCase(TypeCases.Case values, String wire, String arrayWire) {
    }

    static List<WireCase> cases() {
        List<WireCase> cases = new ArrayList<>();
        for (TypeCases.Case c : TypeCases.all()) {
            String wire = switch (c.name()) {
                case "b" -> "bool";
                case "i16" -> "int2";
                case "i32" -> "int4";
                case "i64" -> "int8";
                case "f32" -> "float4";
                case "f64" -> "float8";
                case "s" -> "text";
                case "j" -> "jsonb";
                case "by" -> "bytea";
                case "dt" -> "date";
                case "tstz" -> "timestamptz";
                case "ts" -> "timestamp";
                case "d9", "d18", "d20", "d38" -> "numeric";
                // Export keeps uuid and time as their text; these Parquet types are other writers'.
                default -> null;
            };
            if (wire != null) {
                cases.add(new WireCase(c, wire, PgWire.arraySpec(PgWire.parse(wire).wire().typeOid(), PgWire.parse(wire).wire())));
            }
        }
        cases.add(text("js", "json", ArchiveMetadata.LOGICAL_JSON, "{}", "[1, 2.50]", "{\"k\": \"é\\u0000\"}", "null"));
        cases.add(text("uu", "uuid", null, "00000000-0000-0000-0000-000000000000", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                "ffffffff-ffff-ffff-ffff-ffffffffffff"));
        cases.add(text("tm", "time", null, "00:00:00", "23:59:59.999999", "24:00:00", "12:30:00.5"));
        cases.add(text("en", "text", null, "ok", "Zürich", "日本語", "🚀", "a\u0000b"));
        cases.add(new WireCase(new TypeCases.Case("oi", new ArrowType.Int(64, true), null, "oid",
                Arrays.asList(0L, 4_294_967_295L, 26L, null),
                (v, i, x) -> ((BigIntVector) v).setSafe(i, (Long) x), null, null, null), "oid", "array:26:oid"));
        cases.add(decimal("d5s4", 5, 4, "0.0001", "-9.9999", "0.0000", "1.0000"));
        cases.add(decimal("d8s5", 8, 5, "123.45678", "-0.00001", "100.00000"));
        cases.add(decimal("d18z", 18, 0, "999999999999999999", "-999999999999999999", "9223372036854775", "10000"));
        cases.add(decimal("d30", 30, 3, "123456789012345678901234567.891", "-1.000", "0.001", "9223372036854775.807"));
        cases.add(new WireCase(new TypeCases.Case("dte", new ArrowType.Date(DateUnit.DAY), null, "date",
                Arrays.asList(-2_451_545 + PgWire.PG_EPOCH_DAYS, 2_932_896, -719_162, null),
                (v, i, x) -> ((DateDayVector) v).setSafe(i, (Integer) x), null, null, null), "date", "array:1082:date"));
        return cases;
    }

    static WireCase text(String name, String wire, String logical, String... values) {
        List<Object> list = new ArrayList<>(Arrays.asList((Object[]) values));
        list.add(null);
        return new WireCase(new TypeCases.Case(name, ArrowType.Utf8.INSTANCE, logical, wire, list,
                (v, i, x) -> ((VarCharVector) v).setSafe(i, x.toString().getBytes(StandardCharsets.UTF_8)), null, null, null),
                wire, PgWire.arraySpec(PgWire.parse(wire).wire().typeOid(), PgWire.parse(wire).wire()));
    }

    static WireCase decimal(String name, int precision, int scale, String... values) {
        List<Object> list = new ArrayList<>();
        for (String v : values) {
            list.add(new BigDecimal(v).setScale(scale));
        }
        list.add(null);
        return new WireCase(new TypeCases.Case(name, new ArrowType.Decimal(precision, scale, 128), null, "numeric", list,
                (v, i, x) -> ((DecimalVector) v).setSafe(i, (BigDecimal) x), null, null, null), "numeric", "array:1700:numeric");
    }

    static Schema schema(List<WireCase> cases) {
        List<Field> fields = new ArrayList<>();
        for (WireCase c : cases) {
            fields.add(withWire(c.values().field(c.values().name(), true), c.wire()));
        }
        for (WireCase c : cases) {
            Field list = c.values().listField();
            fields.add(new Field(list.getName(), withWire(list, c.arrayWire()).getFieldType(), list.getChildren()));
        }
        return new Schema(fields);
    }

    static Field withWire(Field f, String wire) {
        Map<String, String> metadata = new HashMap<>(f.getMetadata());
        metadata.put(ArchiveMetadata.WIRE, wire);
        FieldType t = f.getFieldType();
        return new Field(f.getName(), new FieldType(t.isNullable(), t.getType(), null, metadata), f.getChildren());
    }

    /** The fixture: {@code rows} rows cycling through every case's values, lists of them beside. */
    static void writeEveryForm(Path file, int rows, String digest) throws Exception {
        List<WireCase> cases = cases();
        List<TypeCases.Case> values = cases.stream().map(WireCase::values).toList();
        Schema schema = schema(cases);
        try (BufferAllocator allocator = new RootAllocator(64L * 1024 * 1024);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of(),
                     1024 * 1024)) {
            for (int from = 0; from < rows; from += 1000) {
                TypeCases.fill(root, values, from, Math.min(from + 1000, rows));
                writer.write(root);
            }
            writer.finish(Map.of(ArchiveMetadata.VALUE_DIGEST, digest));
            sink.commit();
        }
    }

    /** Each row's tuple as the row-by-row path encodes it. */
    static List<String> rowByRow(Path file, int[] columns) {
        List<String> tuples = new ArrayList<>();
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            List<String> names = reader.columns().stream().map(ArchiveColumn::name).toList();
            Map<String, String> wire = reader.wireSpecs();
            List<String> picked = Arrays.stream(columns).mapToObj(names::get).toList();
            PgBinaryEncoder encoder = new PgBinaryEncoder(picked, picked.stream().map(wire::get).map(PgWire::parse).toList());
            Object[] row = new Object[columns.length];
            long n = 0;
            while (reader.next()) {
                for (int i = 0; i < columns.length; i++) {
                    row[i] = reader.get(columns[i]);
                }
                encoder.encode(row, ++n);
                tuples.add(HexFormat.of().formatHex(encoder.buffer(), 0, encoder.length()));
            }
        }
        return tuples;
    }

    static List<String> columnByColumn(Path file, int[] columns, int threads) {
        List<String> tuples = new ArrayList<>();
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file);
             ColumnarTuples columnar = reader.tuples(threads)) {
            while (columnar.next()) {
                columnar.encode(columns);
                int start = 0;
                for (int i = 0; i < columnar.rows(); i++) {
                    tuples.add(HexFormat.of().formatHex(columnar.buffer(), start, columnar.rowEnd(i)));
                    start = columnar.rowEnd(i);
                }
                assertThat(start).isEqualTo(columnar.length());
            }
        }
        return tuples;
    }

    static String digestOf(List<String> tuples) {
        ValueDigest digest = new ValueDigest();
        for (String t : tuples) {
            byte[] b = HexFormat.of().parseHex(t);
            digest.update(b, 0, b.length);
        }
        return digest.finish();
    }

    static int[] every(Path file) {
        return java.util.stream.IntStream.range(0, ParquetArchiveReader.footerSchema(file).size()).toArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void everyFormGivesTheRowByRowBytesOnAnyNumberOfThreads(int threads) throws Exception {
        Path file = dir.resolve("every.parquet");
        // More rows than a batch holds and more than one row group.
        writeEveryForm(file, 30_000, "0".repeat(64));
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            assertThat(reader.wireSpecs()).hasSize(every(file).length);
        }
        int[] all = every(file);

        List<String> expected = rowByRow(file, all);
        List<String> actual = columnByColumn(file, all, threads);

        assertThat(expected).hasSize(30_000);
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                assertThat(actual.get(i)).as("tuple of row %d", i + 1).isEqualTo(expected.get(i));
            }
        }
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(ArchiveFiles.footer(file).getBlocks()).hasSizeGreaterThan(1);
    }

    @Test
    void aFileWhoseFooterHoldsTheRowByRowDigestVerifies() throws Exception {
        Path draft = dir.resolve("draft.parquet");
        writeEveryForm(draft, 9_000, "0".repeat(64));
        String digest = digestOf(rowByRow(draft, every(draft)));
        Path file = dir.resolve("every.parquet");
        writeEveryForm(file, 9_000, digest);

        assertThat(ParquetArchiveReader.verify(file, "every.parquet", 2).rowsDecoded()).isEqualTo(9_000);
        assertThat(ParquetArchiveReader.verify(file, "every.parquet", 1).rowsDecoded()).isEqualTo(9_000);
    }

    @Test
    void anyOtherDigestFailsTheValueProof() throws Exception {
        Path draft = dir.resolve("draft.parquet");
        writeEveryForm(draft, 500, "0".repeat(64));
        String digest = digestOf(rowByRow(draft, every(draft)));
        Path file = dir.resolve("other.parquet");
        // The digest of the same rows but the last: one row fewer is a different stream.
        List<String> fewer = rowByRow(draft, every(draft));
        writeEveryForm(file, 500, digestOf(fewer.subList(0, fewer.size() - 1)));

        assertThat(digest).isNotEqualTo(digestOf(fewer.subList(0, fewer.size() - 1)));
        assertThatThrownBy(() -> ParquetArchiveReader.verify(file, "other.parquet", 2))
                .isInstanceOf(ValueMismatchException.class)
                .hasMessageContaining("encoded back into PostgreSQL's binary form");
    }

    @Test
    void someColumnsInAnotherOrderGiveTheRowByRowBytes() throws Exception {
        Path file = dir.resolve("every.parquet");
        writeEveryForm(file, 5_000, "0".repeat(64));
        int[] some = {7, 0, 3, every(file).length - 1, 12};

        assertThat(columnByColumn(file, some, 2)).isEqualTo(rowByRow(file, some));
    }

    /**
     * Unique values, so the writer's dictionaries overflow and later pages are plain: the pages
     * the benchmark's large windows have.
     */
    @Test
    void plainPagesAfterADictionaryGiveTheRowByRowBytes() throws Exception {
        Path file = dir.resolve("plain.parquet");
        Schema schema = new Schema(List.of(
                withWire(new Field("ts", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")), null), "timestamptz"),
                withWire(new Field("v", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null), "float8"),
                withWire(new Field("n", FieldType.nullable(new ArrowType.Int(64, true)), null), "int8"),
                withWire(new Field("doc", new FieldType(true, ArrowType.Utf8.INSTANCE, null,
                        Map.of(ArchiveMetadata.LOGICAL, ArchiveMetadata.LOGICAL_JSON)), null), "jsonb")));
        int rows = 200_000;
        try (BufferAllocator allocator = new RootAllocator(64L * 1024 * 1024);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of())) {
            for (int from = 0; from < rows; from += 4096) {
                root.allocateNew();
                int n = Math.min(4096, rows - from);
                for (int i = 0; i < n; i++) {
                    long k = from + i;
                    if (k % 997 == 0) {
                        continue;
                    }
                    ((TimeStampMicroTZVector) root.getVector(0)).setSafe(i, 1_700_000_000_000_000L + k * 1_000_003L);
                    ((Float8Vector) root.getVector(1)).setSafe(i, k * 0.1);
                    ((BigIntVector) root.getVector(2)).setSafe(i, k * 7919 - 1_000_000_000L);
                    ((VarCharVector) root.getVector(3)).setSafe(i,
                            ("{\"seq\": " + k + ", \"name\": \"sensor ü " + k + "\"}").getBytes(StandardCharsets.UTF_8));
                }
                root.setRowCount(n);
                writer.write(root);
            }
            writer.finish(Map.of(ArchiveMetadata.VALUE_DIGEST, "0".repeat(64)));
            sink.commit();
        }
        int[] all = {0, 1, 2, 3};
        assertThat(ArchiveFiles.footer(file).getBlocks().get(0).getColumns().get(0).getEncodings().toString())
                .contains("PLAIN");

        assertThat(digestOf(columnByColumn(file, all, 2))).isEqualTo(digestOf(rowByRow(file, all)));
    }

    /** A value no PostgreSQL date can hold fails both paths alike, naming the row and column. */
    @Test
    void aValueOutsideTheWireFormFailsAsTheRowByRowPathDoes() throws Exception {
        Path file = dir.resolve("bad.parquet");
        Schema schema = new Schema(List.of(withWire(new Field("day",
                FieldType.nullable(new ArrowType.Date(DateUnit.DAY)), null), "date")));
        try (BufferAllocator allocator = new RootAllocator(64L * 1024 * 1024);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of())) {
            root.allocateNew();
            ((DateDayVector) root.getVector(0)).setSafe(0, 0);
            ((DateDayVector) root.getVector(0)).setSafe(1, Integer.MIN_VALUE);
            root.setRowCount(2);
            writer.write(root);
            writer.finish(Map.of(ArchiveMetadata.VALUE_DIGEST, "0".repeat(64)));
            sink.commit();
        }
        String rowByRow = null;
        try {
            rowByRow(file, new int[] {0});
        } catch (ValueMismatchException e) {
            rowByRow = e.getMessage();
        }

        assertThat(rowByRow).contains("row 2").contains("\"day\"");
        assertThatThrownBy(() -> ParquetArchiveReader.verify(file, "bad.parquet", 1))
                .isInstanceOf(ValueMismatchException.class).hasMessage(rowByRow);
    }
}
