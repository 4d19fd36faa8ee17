package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The column-by-column decoder reads Parquet pages itself, so every page layout parquet-java
 * writes must give, row for row, the bytes the row-by-row path gives through parquet-java's own
 * record reader: version 1 and version 2 data pages, dictionary pages with a fall-back to plain
 * (or, in version 2, delta) pages inside one chunk, the delta and byte-stream-split encodings,
 * NULLs at uneven places, runs that cross page and batch boundaries, and non-UTF-8 text.
 */
class PageLayoutsTest {

    private static final int ROWS = 23_456;

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message m {"
            + " optional boolean b; required boolean rb;"
            + " optional int32 i16 (INTEGER(16,true)); optional int32 i32; required int64 ri64; optional int64 i64;"
            + " optional float f32; optional double f64; optional int32 dt (DATE);"
            + " optional int64 tstz (TIMESTAMP(MICROS,true)); optional int64 ts (TIMESTAMP(MICROS,false));"
            + " optional int32 d9 (DECIMAL(9,2)); optional int64 d18 (DECIMAL(18,4));"
            + " optional fixed_len_byte_array(13) d30 (DECIMAL(30,3));"
            + " optional binary s (STRING); optional binary j (JSON); optional binary by; }");

    private static final List<String> WIRE = List.of("bool", "bool", "int2", "int4", "int8", "int8", "float4", "float8",
            "date", "timestamptz", "timestamp", "numeric", "numeric", "numeric", "text", "jsonb", "bytea");

    @TempDir
    Path dir;

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    /** A way parquet-java lays out pages, and the value encodings it must then have used. */
    record Layout(String name, WriterVersion version, boolean dictionary, boolean byteStreamSplit,
                  Set<Encoding> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                new Layout("v1 pages, dictionary falling back to plain", WriterVersion.PARQUET_1_0, true, false,
                        EnumSet.of(Encoding.PLAIN_DICTIONARY, Encoding.PLAIN)),
                new Layout("v1 pages, plain only", WriterVersion.PARQUET_1_0, false, false, EnumSet.of(Encoding.PLAIN)),
                new Layout("v2 pages, dictionary falling back to delta", WriterVersion.PARQUET_2_0, true, false,
                        EnumSet.of(Encoding.RLE_DICTIONARY, Encoding.DELTA_BINARY_PACKED, Encoding.DELTA_BYTE_ARRAY)),
                new Layout("v2 pages, delta and RLE booleans", WriterVersion.PARQUET_2_0, false, false,
                        EnumSet.of(Encoding.DELTA_BINARY_PACKED, Encoding.DELTA_BYTE_ARRAY, Encoding.RLE)),
                new Layout("v2 pages, byte stream split", WriterVersion.PARQUET_2_0, false, true,
                        EnumSet.of(Encoding.BYTE_STREAM_SPLIT)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void everyPageLayoutGivesTheRowByRowBytes(Layout layout) throws Exception {
        Path file = dir.resolve("layout.parquet");
        write(file, layout);
        assertThat(encodingsOf(file)).containsAll(layout.expected());
        List<PgWire.Spec> specs = WIRE.stream().map(PgWire::parse).toList();

        List<String> expected = rowByRow(file, specs);

        assertThat(expected).hasSize(ROWS);
        for (int threads = 1; threads <= 2; threads++) {
            List<String> actual = columnByColumn(file, specs, threads);
            for (int i = 0; i < expected.size(); i++) {
                if (!expected.get(i).equals(actual.get(i))) {
                    assertThat(actual.get(i)).as("tuple of row %d on %d thread(s)", i + 1, threads)
                            .isEqualTo(expected.get(i));
                }
            }
            assertThat(actual).hasSameSizeAs(expected);
        }
    }

    private static void write(Path file, Layout layout) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        Random random = new Random(42);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withType(SCHEMA)
                .withCodecFactory(PlainCodecFactory.INSTANCE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriterVersion(layout.version())
                .withDictionaryEncoding(layout.dictionary())
                .withByteStreamSplitEncoding(layout.byteStreamSplit())
                // Small pages and dictionaries: many pages per chunk, and a dictionary that fills up.
                .withPageRowCountLimit(997)
                .withPageSize(4096)
                .withDictionaryPageSize(2048)
                .withRowGroupSize(256L * 1024)
                .build()) {
            for (int r = 0; r < ROWS; r++) {
                writer.write(row(groups.newGroup(), r, random));
            }
        }
    }

    /**
     * Row {@code r}: the first third of the rows repeat few values (dictionary pages), the rest are
     * mostly distinct (the dictionary overflows); each nullable column has NULLs of its own period.
     */
    private static Group row(Group g, int r, Random random) {
        boolean few = r < ROWS / 3;
        long any = random.nextLong();
        long v = few ? r % 7 : any;
        if (!nullAt(r, 3)) {
            g.add("b", (any & 1) == 0);
        }
        g.add("rb", r % 3 == 0);
        if (!nullAt(r, 5)) {
            g.add("i16", (int) (short) v);
        }
        if (!nullAt(r, 7)) {
            g.add("i32", (int) v);
        }
        g.add("ri64", few ? r % 5 : any);
        if (!nullAt(r, 11)) {
            g.add("i64", v);
        }
        if (!nullAt(r, 13)) {
            g.add("f32", few ? 0.5f * (r % 4) : Float.intBitsToFloat((int) any & 0x7f7fffff));
        }
        if (!nullAt(r, 17)) {
            g.add("f64", few ? 0.25 * (r % 6) : Double.longBitsToDouble(any & 0x7fefffffffffffffL));
        }
        if (!nullAt(r, 19)) {
            g.add("dt", (int) Math.floorMod(v, 3_000_000L) - 1_000_000);
        }
        if (!nullAt(r, 23)) {
            g.add("tstz", Math.floorMod(v, 400_000_000_000_000_000L) - 200_000_000_000_000_000L);
        }
        if (!nullAt(r, 29)) {
            g.add("ts", few ? r % 9 * 1_000_000L : any >> 8);
        }
        if (!nullAt(r, 31)) {
            g.add("d9", (int) (v % 999_999_999));
        }
        if (!nullAt(r, 37)) {
            g.add("d18", v % 999_999_999_999_999_999L);
        }
        if (!nullAt(r, 41)) {
            BigInteger unscaled = BigInteger.valueOf(v).multiply(BigInteger.valueOf(few ? 1 : 1_000_003));
            g.add("d30", Binary.fromConstantByteArray(fixed(unscaled, 13)));
        }
        if (!nullAt(r, 43)) {
            String[] texts = {"ok", "Zürich", "日本語", "🚀", "a\u0000b", ""};
            String text = few ? texts[r % texts.length] : texts[r % texts.length] + any;
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (r % 101 == 0) {
                // Not UTF-8: both paths must replace it the same way.
                bytes = new byte[] {'x', (byte) 0xff, (byte) 0xc3};
            }
            g.add("s", Binary.fromConstantByteArray(bytes));
        }
        if (!nullAt(r, 47)) {
            String doc = few ? "{\"k\": " + r % 3 + "}" : "{\"seq\": " + any + ", \"é\": true}";
            g.add("j", doc);
        }
        if (!nullAt(r, 53)) {
            byte[] bytes = new byte[few ? r % 4 : 1 + (int) Math.floorMod(any, 40L)];
            random.nextBytes(bytes);
            g.add("by", Binary.fromConstantByteArray(bytes));
        }
        return g;
    }

    /** NULL in runs: rows {@code r} with {@code r % period} below 2, and a long NULL stretch mid-file. */
    private static boolean nullAt(int r, int period) {
        return r % period < 2 || r >= 15_000 && r < 15_000 + 3 * period;
    }

    private static byte[] fixed(BigInteger v, int length) {
        byte[] minimal = v.toByteArray();
        byte[] out = new byte[length];
        byte sign = (byte) (v.signum() < 0 ? -1 : 0);
        java.util.Arrays.fill(out, sign);
        System.arraycopy(minimal, 0, out, length - minimal.length, minimal.length);
        return out;
    }

    private static Set<Encoding> encodingsOf(Path file) throws IOException {
        Set<Encoding> seen = EnumSet.noneOf(Encoding.class);
        try (ParquetFileReader reader = ParquetArchiveReader.openFile(file, "layout.parquet")) {
            assertThat(reader.getRowGroups()).hasSizeGreaterThan(1);
            for (BlockMetaData block : reader.getRowGroups()) {
                for (ColumnChunkMetaData chunk : block.getColumns()) {
                    seen.addAll(chunk.getEncodings());
                }
            }
        }
        return seen;
    }

    private static List<String> rowByRow(Path file, List<PgWire.Spec> specs) {
        List<String> tuples = new ArrayList<>();
        List<String> names = SCHEMA.getFields().stream().map(f -> f.getName()).toList();
        PgBinaryEncoder encoder = new PgBinaryEncoder(names, specs);
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            long n = 0;
            while (reader.next()) {
                encoder.encode(reader.row(), ++n);
                tuples.add(HexFormat.of().formatHex(encoder.buffer(), 0, encoder.length()));
            }
        }
        return tuples;
    }

    private static List<String> columnByColumn(Path file, List<PgWire.Spec> specs, int threads) {
        int[][] parts = threads == 1
                ? new int[][] {java.util.stream.IntStream.range(0, specs.size()).toArray()}
                : new int[][] {{0, 2, 4, 6, 8, 10, 12, 14, 16}, {1, 3, 5, 7, 9, 11, 13, 15}};
        List<String> tuples = new ArrayList<>();
        try (ColumnarTuples columnar = new ColumnarTuples(new org.apache.parquet.io.LocalInputFile(file), "layout.parquet",
                ParquetArchiveReader.openFile(file, "layout.parquet"), specs, parts)) {
            while (columnar.next()) {
                columnar.encodeAll();
                int start = 0;
                for (int i = 0; i < columnar.rows(); i++) {
                    tuples.add(HexFormat.of().formatHex(columnar.buffer(), start, columnar.rowEnd(i)));
                    start = columnar.rowEnd(i);
                }
            }
        }
        return tuples;
    }
}
