package io.pgfreezer.format;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import io.pgfreezer.FreezerException;

/**
 * What a Parquet file's footer says, read from any {@link InputFile}: only the footer's bytes are
 * read, so over a ranged object read it costs the footer and not the file. Columns are described
 * exactly as {@link ParquetArchiveReader#columns()} describes them.
 *
 * @param columns          top-level columns in file order
 * @param keyValueMetadata the footer's key-value metadata, in file order
 * @param rowCount         rows the footer counts
 */
public record ParquetFooter(List<ArchiveColumn> columns, Map<String, String> keyValueMetadata, long rowCount) {

    public ParquetFooter {
        columns = List.copyOf(columns);
        keyValueMetadata = Collections.unmodifiableMap(new LinkedHashMap<>(keyValueMetadata));
    }

    /**
     * @param name how to name the file in a message, e.g. its object URI
     * @throws FormatException when the footer does not decode or a column has a type pg-freezer
     *                         cannot read
     */
    public static ParquetFooter read(InputFile file, String name) {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(PlainCodecFactory.INSTANCE)
                .build();
        ParquetMetadata metadata;
        try (SeekableInputStream in = file.newStream()) {
            metadata = ParquetFileReader.readFooter(file, options, in);
        } catch (FreezerException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new FormatException("Parquet file " + name + " is not readable Parquet (its footer does not decode): "
                    + ParquetArchiveReader.describe(e), e);
        }
        FileMetaData fileMetaData = metadata.getFileMetaData();
        Map<String, String> keyValue = fileMetaData.getKeyValueMetaData();
        List<ArchiveColumn> columns;
        try {
            columns = ColumnLayout.columns(ColumnLayout.of(fileMetaData.getSchema(), keyValue));
        } catch (FormatException e) {
            throw new FormatException("Parquet file " + name + ": " + e.getMessage(), e);
        }
        long rows = metadata.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
        return new ParquetFooter(columns, keyValue, rows);
    }
}
