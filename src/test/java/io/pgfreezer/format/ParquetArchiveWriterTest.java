package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgfreezer.config.GlobalConfig.Compression;

class ParquetArchiveWriterTest {

    private static final Field ID = new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null);
    private static final Field NOTE = new Field("note", FieldType.nullable(ArrowType.Utf8.INSTANCE), null);
    private static final Schema SCHEMA = new Schema(List.of(ID, NOTE));

    @TempDir
    Path dir;

    private final BufferAllocator allocator = new RootAllocator(8L * 1024 * 1024);

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    @Test
    void unsupportedArrowTypesAreRefusedAtOpenNamingTheColumn() throws Exception {
        assertRefused(new Field("tiny", FieldType.nullable(new ArrowType.Int(8, true)), null), "column \"tiny\"");
        assertRefused(new Field("unsigned", FieldType.nullable(new ArrowType.Int(32, false)), null), "column \"unsigned\"");
        assertRefused(new Field("millis", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), null),
                "column \"millis\"");
        assertRefused(new Field("big", FieldType.nullable(ArrowType.LargeUtf8.INSTANCE), null), "column \"big\"");
        assertRefused(new Field("matrix", FieldType.nullable(new ArrowType.List()),
                List.of(new Field("inner", FieldType.nullable(new ArrowType.List()),
                        List.of(new Field("x", FieldType.nullable(new ArrowType.Int(32, true)), null))))),
                "column \"matrix\": a list of lists");
        assertRefused(new Field("u", new FieldType(true, new ArrowType.FixedSizeBinary(8), null,
                Map.of(ArchiveMetadata.LOGICAL, ArchiveMetadata.LOGICAL_UUID)), null), "a UUID takes 16 bytes");
        assertRefused(new Field("j", new FieldType(true, ArrowType.Binary.INSTANCE, null,
                Map.of(ArchiveMetadata.LOGICAL, ArchiveMetadata.LOGICAL_JSON)), null), "cannot carry pg_freezer.logical=json");
    }

    @Test
    void aJsonMarkerOnTheListFieldAnnotatesItsElements() throws Exception {
        Field tags = new Field("tags", new FieldType(true, new ArrowType.List(), null,
                Map.of(ArchiveMetadata.LOGICAL, ArchiveMetadata.LOGICAL_JSON, ArchiveMetadata.PG_TYPE, "jsonb[]")),
                List.of(new Field("element", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
        Schema schema = new Schema(List.of(ID, tags));
        Path file = dir.resolve("tags.parquet");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of())) {
            root.setRowCount(0);
            writer.write(root);
            writer.finish();
            sink.commit();
        }

        ColumnType type = ParquetArchiveReader.footerSchema(file).get(1).type();

        assertThat(type.list()).isTrue();
        assertThat(type.kind()).isEqualTo(ValueKind.JSON);
        assertThat(type.pgType()).contains("jsonb[]");
    }

    @Test
    void jsonColumnsCarryNoMinimumOrMaximumWhileEveryOtherColumnKeepsThem() throws Exception {
        Field doc = new Field("doc", new FieldType(true, ArrowType.Utf8.INSTANCE, null,
                Map.of(ArchiveMetadata.LOGICAL, ArchiveMetadata.LOGICAL_JSON)), null);
        Schema schema = new Schema(List.of(ID, NOTE, doc));
        Path file = dir.resolve("json.parquet");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of())) {
            root.allocateNew();
            for (int row = 0; row < 3; row++) {
                ((BigIntVector) root.getVector("id")).setSafe(row, row);
                ((VarCharVector) root.getVector("note")).setSafe(row, ("note " + row).getBytes(StandardCharsets.UTF_8));
                ((VarCharVector) root.getVector("doc")).setSafe(row, ("{\"n\": " + row + "}").getBytes(StandardCharsets.UTF_8));
            }
            root.setRowCount(3);
            writer.write(root);
            writer.finish();
            sink.commit();
        }

        List<org.apache.parquet.hadoop.metadata.ColumnChunkMetaData> chunks =
                ArchiveFiles.footer(file).getBlocks().get(0).getColumns();

        assertThat(chunks.get(0).getStatistics().hasNonNullValue()).as("id has min and max").isTrue();
        assertThat(chunks.get(0).getStatistics().genericGetMin()).isEqualTo(0L);
        assertThat(chunks.get(1).getStatistics().hasNonNullValue()).as("text keeps min and max").isTrue();
        assertThat(chunks.get(2).getStatistics().hasNonNullValue()).as("json has none").isFalse();
        assertThat(ArchiveFiles.readAll(file)).extracting(r -> String.valueOf(r[2])).containsExactly("{\"n\": 0}", "{\"n\": 1}", "{\"n\": 2}");
    }

    @Test
    void duplicateColumnNamesAreRefused() throws Exception {
        Schema schema = new Schema(List.of(NOTE, NOTE));
        try (FileObjectOutput sink = new FileObjectOutput(dir.resolve("x.parquet"))) {
            assertThatThrownBy(() -> ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of()))
                    .isInstanceOf(FormatException.class)
                    .hasMessage("column \"note\" appears twice; Parquet column names must be unique");
        }
    }

    @Test
    void notNullFieldsBecomeRequiredColumns() throws Exception {
        Path file = dir.resolve("data.parquet");
        writeRows(file, 3);

        MessageType schema = ArchiveFiles.footer(file).getFileMetaData().getSchema();

        assertThat(schema.getType("id").getRepetition()).isEqualTo(Type.Repetition.REQUIRED);
        assertThat(schema.getType("note").getRepetition()).isEqualTo(Type.Repetition.OPTIONAL);
        assertThat(ParquetArchiveReader.footerSchema(file).get(0).nullable()).isFalse();
    }

    @Test
    void aNullInANotNullColumnIsRefusedBeforeAnyRowOfTheBatchIsWritten() throws Exception {
        Path file = dir.resolve("data.parquet");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, SCHEMA, Compression.SNAPPY, Map.of())) {
            fill(root, 0, 3);
            ((BigIntVector) root.getVector("id")).setNull(1);

            assertThatThrownBy(() -> writer.write(root))
                    .isInstanceOf(FormatException.class)
                    .hasMessage("column \"id\" is NOT NULL but row 1 of the batch is null");

            fill(root, 0, 2);
            writer.write(root);
            WrittenFile written = writer.finish();
            sink.commit();
            assertThat(written.rows()).isEqualTo(2);
        }
        assertThat(ParquetArchiveReader.verify(file).rowsDecoded()).isEqualTo(2);
    }

    @Test
    void aBatchWithAnotherSchemaIsRefused() throws Exception {
        Schema other = new Schema(List.of(ID));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(other, allocator);
             FileObjectOutput sink = new FileObjectOutput(dir.resolve("x.parquet"));
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, SCHEMA, Compression.SNAPPY, Map.of())) {
            root.setRowCount(0);
            assertThatThrownBy(() -> writer.write(root))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("differs from the file's schema");
        }
    }

    @Test
    void theWriterNeverCommitsAbortsOrClosesTheSink() throws Exception {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
             FileObjectOutput sink = new FileObjectOutput(dir.resolve("data.parquet"))) {
            try (ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, SCHEMA, Compression.SNAPPY, Map.of())) {
                fill(root, 0, 5);
                writer.write(root);
                WrittenFile written = writer.finish();
                assertThat(written.bytes()).isEqualTo(sink.position());
            }
            assertThat(sink.committed()).isFalse();
            assertThat(sink.aborted()).isFalse();
            assertThat(sink.closed()).isFalse();
            sink.commit();
        }
    }

    @Test
    void closingWithoutFinishAbandonsTheFileAndSendsNoMoreBytes() throws Exception {
        Path file = dir.resolve("data.parquet");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
             FileObjectOutput sink = new FileObjectOutput(file)) {
            ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, SCHEMA, Compression.SNAPPY, Map.of());
            fill(root, 0, 100);
            writer.write(root);
            long before = sink.position();

            writer.close();

            assertThat(sink.position()).isEqualTo(before);
            assertThat(sink.committed()).isFalse();
            assertThatThrownBy(() -> writer.write(root)).isInstanceOf(IllegalStateException.class);
            sink.abort();
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void aFileWithoutRowsIsValidParquet() throws Exception {
        Path file = dir.resolve("empty.parquet");

        WrittenFile written = writeRows(file, 0);

        assertThat(written.rows()).isZero();
        assertThat(written.sha256Hex()).isEqualTo(ArchiveFiles.sha256(file));
        assertThat(ParquetArchiveReader.verify(file)).isEqualTo(new VerifiedFile(0, 0, 0));
        assertThat(ParquetArchiveReader.footerSchema(file)).extracting(ArchiveColumn::name).containsExactly("id", "note");
    }

    @Test
    void theWritersOwnMetadataKeyCannotBeOverridden() throws Exception {
        try (FileObjectOutput sink = new FileObjectOutput(dir.resolve("x.parquet"))) {
            assertThatThrownBy(() -> ParquetArchiveWriter.open(sink, SCHEMA, Compression.SNAPPY,
                    Map.of(ArchiveMetadata.PG_TYPES, "{}")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private void assertRefused(Field field, String message) throws Exception {
        Schema schema = new Schema(List.of(ID, field));
        Path file = dir.resolve("refused.parquet");
        try (FileObjectOutput sink = new FileObjectOutput(file)) {
            assertThatThrownBy(() -> ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of()))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining(message);
            assertThat(sink.position()).as("nothing written for a refused schema").isZero();
        }
        Files.deleteIfExists(file);
    }

    private WrittenFile writeRows(Path file, int rows) throws Exception {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, SCHEMA, Compression.SNAPPY, Map.of())) {
            if (rows > 0) {
                fill(root, 0, rows);
                writer.write(root);
            }
            WrittenFile written = writer.finish();
            sink.commit();
            return written;
        }
    }

    private static void fill(VectorSchemaRoot root, int from, int to) {
        root.allocateNew();
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector note = (VarCharVector) root.getVector("note");
        for (int row = from; row < to; row++) {
            id.setSafe(row - from, row);
            if (row % 3 != 0) {
                note.setSafe(row - from, ("note " + row).getBytes(StandardCharsets.UTF_8));
            }
        }
        root.setRowCount(to - from);
    }
}
