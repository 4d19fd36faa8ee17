package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgfreezer.config.GlobalConfig.Compression;

/**
 * Text read from dictionary-encoded pages comes from entries decoded once per column chunk; a
 * chunk whose dictionary outgrew its page goes on in plain pages, so one chunk can hold both.
 */
class DictionaryTextReadTest {
    private static final int REPEATED_ROWS = 20_000;
    private static final int DISTINCT_ROWS = 40_000;

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @TempDir
    Path dir;

    @Test
    void textAndJsonReadBackExactlyFromDictionaryPagesAndThePlainPagesAfterThem() throws Exception {
        List<String> texts = new ArrayList<>();
        String[] few = {"celsius", "kelvin", null, "Zürich – 東京 🚀"};
        for (int i = 0; i < REPEATED_ROWS; i++) {
            texts.add(few[i % few.length]);
        }
        for (int i = 0; i < DISTINCT_ROWS; i++) {
            // Distinct and long enough that the dictionary passes its page size and the writer falls back.
            texts.add("reading number " + i + " of a sensor that never repeats itself " + (i * 7919L));
        }
        Path file = dir.resolve("dictionary.parquet");
        write(file, texts);

        for (ColumnChunkMetaData chunk : ArchiveFiles.footer(file).getBlocks().get(0).getColumns()) {
            Set<Encoding> encodings = chunk.getEncodings();
            assertThat(encodings).as(chunk.getPath().toDotString()).contains(Encoding.PLAIN_DICTIONARY, Encoding.PLAIN);
        }
        List<Object[]> rows = ArchiveFiles.readAll(file);
        assertThat(rows).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String expected = texts.get(i);
            assertThat(rows.get(i)[0]).as("row %d text", i).isEqualTo(expected);
            assertThat(rows.get(i)[1]).as("row %d json", i).isEqualTo(expected == null ? null : new JsonText(json(expected)));
        }
    }

    private static String json(String text) {
        return "{\"unit\": \"" + text + "\"}";
    }

    private static void write(Path file, List<String> texts) throws Exception {
        Map<String, String> text = new HashMap<>(Map.of(ArchiveMetadata.PG_TYPE, "text"));
        Map<String, String> jsonb = new HashMap<>(Map.of(ArchiveMetadata.PG_TYPE, "jsonb",
                ArchiveMetadata.LOGICAL, ArchiveMetadata.LOGICAL_JSON));
        Schema schema = new Schema(List.of(
                new Field("unit", new FieldType(true, ArrowType.Utf8.INSTANCE, null, text), null),
                new Field("payload", new FieldType(true, ArrowType.Utf8.INSTANCE, null, jsonb), null)));
        int batch = 4_096;
        try (BufferAllocator allocator = new RootAllocator(64L * 1024 * 1024);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, Compression.SNAPPY, Map.of())) {
            VarCharVector units = (VarCharVector) root.getVector(0);
            VarCharVector payloads = (VarCharVector) root.getVector(1);
            for (int from = 0; from < texts.size(); from += batch) {
                int to = Math.min(from + batch, texts.size());
                root.allocateNew();
                for (int i = from; i < to; i++) {
                    String t = texts.get(i);
                    if (t == null) {
                        units.setNull(i - from);
                        payloads.setNull(i - from);
                    } else {
                        units.setSafe(i - from, t.getBytes(StandardCharsets.UTF_8));
                        payloads.setSafe(i - from, json(t).getBytes(StandardCharsets.UTF_8));
                    }
                }
                root.setRowCount(to - from);
                writer.write(root);
            }
            writer.finish();
            sink.commit();
        }
    }
}
