package io.pgfreezer.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;

import io.pgfreezer.config.GlobalConfig.Compression;

/** Writing the type fixture to a local file, and the helpers the format tests share. */
final class ArchiveFiles {

    /** Uneven on purpose: the reused batch is refilled with fewer rows at the end. */
    static final int BATCH_ROWS = 4;

    private ArchiveFiles() {
    }

    /** The whole fixture written through the writer, batch by batch with one reused root. */
    static WrittenFile writeFixture(Path file, Compression codec) throws IOException {
        List<TypeCases.Case> cases = TypeCases.all();
        Schema schema = TypeCases.schema(cases);
        try (BufferAllocator allocator = new RootAllocator(16L * 1024 * 1024);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             FileObjectOutput sink = new FileObjectOutput(file);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(sink, schema, codec,
                     Map.of("pg_freezer.batch_id", "e4ad1b2a27064d51"))) {
            for (int from = 0; from < TypeCases.ROWS; from += BATCH_ROWS) {
                TypeCases.fill(root, cases, from, Math.min(from + BATCH_ROWS, TypeCases.ROWS));
                writer.write(root);
            }
            WrittenFile written = writer.finish();
            sink.commit();
            return written;
        }
    }

    static List<Object[]> readAll(Path file) {
        List<Object[]> rows = new ArrayList<>();
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            while (reader.next()) {
                rows.add(reader.row());
            }
        }
        return rows;
    }

    static ParquetMetadata footer(Path file) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            return reader.getFooter();
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Values made comparable with equals: byte arrays as hex, lists element by element. */
    static Object comparable(Object value) {
        if (value instanceof byte[]) {
            return "bytes:" + HexFormat.of().formatHex((byte[]) value);
        }
        if (value instanceof Object[]) {
            return comparable(Arrays.asList((Object[]) value));
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object element : (List<?>) value) {
                out.add(comparable(element));
            }
            return out;
        }
        return value;
    }
}
