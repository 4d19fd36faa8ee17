package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgfreezer.config.GlobalConfig.Compression;

/**
 * Memory stays bounded by one batch (Arrow) plus one row group (Parquet), however many rows the
 * file gets. Checked by counting bytes, not by timing.
 */
class ParquetArchiveWriterMemoryTest {

    private static final int ROWS = 2_000_000;
    private static final int BATCH_ROWS = 4096;
    private static final long ROW_GROUP_BYTES = 4L * 1024 * 1024;
    private static final long ARROW_LIMIT = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @Test
    void twoMillionRowsInReusedBatchesKeepOneBatchAndOneRowGroupInMemory() throws Exception {
        Schema schema = new Schema(List.of(
                new Field("ts", FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")), null),
                new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field("value", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null),
                new Field("amount", FieldType.nullable(new ArrowType.Decimal(12, 2, 128)), null),
                new Field("sensor", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
        Path file = dir.resolve("big.parquet");
        long maxBuffered = 0;
        long peakArrow;
        WrittenFile written;

        try (BufferAllocator allocator = new RootAllocator(ARROW_LIMIT);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of(),
                     ROW_GROUP_BYTES)) {
            TimeStampMicroTZVector ts = (TimeStampMicroTZVector) root.getVector("ts");
            BigIntVector id = (BigIntVector) root.getVector("id");
            Float8Vector value = (Float8Vector) root.getVector("value");
            DecimalVector amount = (DecimalVector) root.getVector("amount");
            VarCharVector sensor = (VarCharVector) root.getVector("sensor");
            byte[][] sensors = new byte[16][];
            for (int s = 0; s < sensors.length; s++) {
                sensors[s] = ("sensor-" + s).getBytes(StandardCharsets.UTF_8);
            }
            long startMicros = 1_705_276_800_000_000L;
            for (int from = 0; from < ROWS; from += BATCH_ROWS) {
                int rows = Math.min(BATCH_ROWS, ROWS - from);
                root.allocateNew();
                for (int i = 0; i < rows; i++) {
                    long n = from + i;
                    ts.setSafe(i, startMicros + n * 43_000L);
                    id.setSafe(i, n);
                    value.setSafe(i, n * 0.25);
                    amount.setSafe(i, BigDecimal.valueOf(n % 100_000, 2));
                    sensor.setSafe(i, sensors[(int) (n % sensors.length)]);
                }
                root.setRowCount(rows);
                writer.write(root);
                maxBuffered = Math.max(maxBuffered, writer.bufferedBytes());
            }
            written = writer.finish();
            sink.commit();
            peakArrow = allocator.getPeakMemoryAllocation();
        }

        assertThat(written.rows()).isEqualTo(ROWS);
        assertThat(peakArrow).as("Arrow holds one batch at a time").isLessThan(1024L * 1024);
        assertThat(maxBuffered).as("Parquet buffers at most about one row group").isLessThan(2 * ROW_GROUP_BYTES);
        int rowGroups = ArchiveFiles.footer(file).getBlocks().size();
        assertThat(rowGroups).as("row groups were flushed while writing").isGreaterThan(1);
        assertThat(ParquetArchiveReader.verify(file)).isEqualTo(new VerifiedFile(ROWS, ROWS, rowGroups));
        assertThat(written.sha256Hex()).isEqualTo(ArchiveFiles.sha256(file));
    }
}
