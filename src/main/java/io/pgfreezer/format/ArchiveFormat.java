package io.pgfreezer.format;

import io.pgfreezer.storage.ObjectOutput;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The file format of archived windows, as the engine needs it: write a stream, prove a file. */
public interface ArchiveFormat {

    /** File name suffix, e.g. {@code .parquet}. */
    String extension();

    /** Starts a file on {@code out} with the given columns; key-value metadata goes in the footer. */
    ArchiveWriter newWriter(ObjectOutput out, Schema schema, Map<String, String> metadata);

    /**
     * Decodes every value of a local copy of a file and returns the number of rows it holds.
     *
     * @throws FormatException when the file does not decode
     */
    long decodeAll(Path file);

    /**
     * The key-value metadata in a local copy of a file's footer (who wrote it: table, window,
     * batch id).
     *
     * @throws FormatException when the footer does not decode
     */
    Map<String, String> footerMetadata(Path file);

    /**
     * Adds every row of a local copy of an archived file to {@code into}; see
     * {@link ParquetArchiveReader#addArchivedRows}. {@code name} is what messages call the file.
     *
     * @return the rows added
     * @throws FormatException when the file's rows cannot be compared with the table's
     */
    default long addArchivedRows(Path file, String name, List<String> columns, List<String> wireSpecs,
                                 ArchivedRows into) {
        return ParquetArchiveReader.addArchivedRows(file, name, columns, wireSpecs, into);
    }
}
