package io.pgfreezer.format;

import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.storage.ObjectOutput;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.file.Path;
import java.util.Map;

/** Parquet, the only archive format: what the original wrote and what query engines read. */
public final class ParquetFormat implements ArchiveFormat {
    private final GlobalConfig.Compression compression;

    public ParquetFormat(GlobalConfig.Compression compression) {
        this.compression = compression;
    }

    @Override
    public String extension() {
        return ".parquet";
    }

    @Override
    public ArchiveWriter newWriter(ObjectOutput out, Schema schema, Map<String, String> metadata) {
        ParquetArchiveWriter writer = ParquetArchiveWriter.open(out, schema, compression, metadata);
        return new ArchiveWriter() {
            @Override
            public void write(VectorSchemaRoot batch) {
                writer.write(batch);
            }

            @Override
            public WrittenFile finish() {
                return writer.finish();
            }

            @Override
            public WrittenFile finish(Map<String, String> closingMetadata) {
                return writer.finish(closingMetadata);
            }

            @Override
            public void close() {
                writer.close();
            }
        };
    }

    @Override
    public Map<String, String> footerMetadata(Path file) {
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            return Map.copyOf(reader.keyValueMetadata());
        }
    }

    @Override
    public long decodeAll(Path file) {
        return ParquetArchiveReader.verify(file).rowsDecoded();
    }
}
