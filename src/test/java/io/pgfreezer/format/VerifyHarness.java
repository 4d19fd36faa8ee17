package io.pgfreezer.format;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import io.pgfreezer.config.GlobalConfig.Compression;

/**
 * Times verification of one file of the benchmark table's shape, without PostgreSQL: the file is
 * written through the archive writer with the wire forms export records, its value digest taken
 * from the same values encoded one row at a time. Meant to run under a profiler:
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     io.pgfreezer.format.VerifyHarness 2500000 /tmp/bench.parquet 2 5
 * </pre>
 *
 * Arguments: rows, file (written when missing), decoding threads, repetitions, and optionally
 * {@code rows} or {@code columns} for one of the two paths alone. Each repetition
 * times the row-by-row proof (one row of Java objects at a time, on one thread) and then
 * {@link ParquetArchiveReader#verify(Path, String, int)}, with the process CPU time of each.
 */
public final class VerifyHarness {

    private VerifyHarness() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[0]);
        Path file = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        int repetitions = Integer.parseInt(args[3]);
        if (!Files.exists(file)) {
            long start = System.nanoTime();
            write(file, rows);
            System.out.printf("wrote %,d rows, %,d bytes in %.2f s%n", rows, Files.size(file),
                    (System.nanoTime() - start) / 1e9);
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < repetitions; i++) {
            for (String path : args.length > 4 ? new String[] {args[4]} : new String[] {"rows", "columns"}) {
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                long decoded = path.equals("rows") ? rowByRow(file) : ParquetArchiveReader.verify(file,
                        file.getFileName().toString(), threads).rowsDecoded();
                System.out.printf("%-7s (%d thread(s)): %,d rows in %.3f s, %.3f s of CPU%n", path,
                        path.equals("rows") ? 1 : threads, decoded, (System.nanoTime() - start) / 1e9,
                        (os.getProcessCpuTime() - cpu) / 1e9);
            }
        }
    }

    /** The value proof as it was computed before, a row of Java objects at a time, for comparison. */
    static long rowByRow(Path file) {
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            List<String> names = reader.columns().stream().map(ArchiveColumn::name).toList();
            ValueDigest digest = new ValueDigest(names, names.stream().map(reader.wireSpecs()::get).toList());
            long rows = 0;
            while (reader.next()) {
                digest.addRow(reader.row(), ++rows);
            }
            if (!digest.finish().equals(reader.valueDigest())) {
                throw new IllegalStateException("the row-by-row digest does not match the footer's");
            }
            return rows;
        }
    }

    /** The benchmark's rows: one day of readings from 8 sensors with a small jsonb document each. */
    static void write(Path file, long rows) throws Exception {
        Schema schema = new Schema(List.of(
                field("recorded_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"), "timestamptz", null),
                field("sensor_id", new ArrowType.Int(32, true), "int4", null),
                field("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), "float8", null),
                field("unit", ArrowType.Utf8.INSTANCE, "text", null),
                field("payload", ArrowType.Utf8.INSTANCE, "jsonb", ArchiveMetadata.LOGICAL_JSON)));
        List<String> names = schema.getFields().stream().map(Field::getName).toList();
        ValueDigest digest = new ValueDigest(names, List.of("timestamptz", "int4", "float8", "text", "jsonb"));
        long day = Instant.parse("2024-01-15T00:00:00Z").getEpochSecond() * 1_000_000L;
        int batch = 4096;
        try (BufferAllocator allocator = new RootAllocator(256L * 1024 * 1024);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of())) {
            TimeStampMicroTZVector ts = (TimeStampMicroTZVector) root.getVector(0);
            IntVector sensor = (IntVector) root.getVector(1);
            Float8Vector value = (Float8Vector) root.getVector(2);
            VarCharVector unit = (VarCharVector) root.getVector(3);
            VarCharVector payload = (VarCharVector) root.getVector(4);
            byte[] celsius = "celsius".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Object[] row = new Object[5];
            long n = 1;
            while (n <= rows) {
                root.allocateNew();
                int count = (int) Math.min(batch, rows - n + 1);
                for (int i = 0; i < count; i++, n++) {
                    long micros = day + n * 86_399_000_000L / rows;
                    String json = "{\"ok\": true, \"seq\": " + n + "}";
                    ts.setSafe(i, micros);
                    sensor.setSafe(i, (int) (n % 8));
                    value.setSafe(i, n * 0.25);
                    unit.setSafe(i, celsius);
                    payload.setSafe(i, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    row[0] = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1000);
                    row[1] = (int) (n % 8);
                    row[2] = n * 0.25;
                    row[3] = "celsius";
                    row[4] = new JsonText(json);
                    digest.addRow(row, n);
                }
                root.setRowCount(count);
                writer.write(root);
            }
            writer.finish(Map.of(ArchiveMetadata.VALUE_DIGEST, digest.finish()));
            sink.commit();
        }
    }

    private static Field field(String name, ArrowType type, String wire, String logical) {
        Map<String, String> metadata = logical == null
                ? Map.of(ArchiveMetadata.PG_TYPE, wire, ArchiveMetadata.WIRE, wire)
                : Map.of(ArchiveMetadata.PG_TYPE, wire, ArchiveMetadata.WIRE, wire, ArchiveMetadata.LOGICAL, logical);
        return new Field(name, new FieldType(true, type, null, metadata), null);
    }
}
