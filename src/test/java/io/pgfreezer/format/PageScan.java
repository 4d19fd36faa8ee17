package io.pgfreezer.format;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;

/**
 * Reads every page of an archived file the way decoding gets them (read, CRC-checked,
 * decompressed) and decodes nothing: the part of a deep check no page decoder can make faster.
 */
public final class PageScan {
    private PageScan() {
    }

    /** Bytes of decompressed pages in {@code file}, after reading each page of every column once. */
    public static long readAllPages(Path file) throws IOException {
        long bytes = 0;
        try (ParquetFileReader reader = ParquetArchiveReader.openFile(file, String.valueOf(file.getFileName()))) {
            PageReadStore rowGroup;
            while ((rowGroup = reader.readNextRowGroup()) != null) {
                for (ColumnDescriptor column : reader.getFileMetaData().getSchema().getColumns()) {
                    PageReader pages = rowGroup.getPageReader(column);
                    // parquet-java decompresses a page when it hands it out.
                    org.apache.parquet.column.page.DictionaryPage dictionary = pages.readDictionaryPage();
                    if (dictionary != null) {
                        bytes += dictionary.getUncompressedSize();
                    }
                    DataPage page;
                    while ((page = pages.readPage()) != null) {
                        bytes += page.getUncompressedSize();
                    }
                }
            }
        }
        return bytes;
    }
}
