/**
 * Parquet files of the archive: written from Apache Arrow batches, read back for verification and
 * for {@code fetch}, all without Hadoop's file systems.
 *
 * <h2>The seam between the PostgreSQL source and this package</h2>
 * The source maps the table's columns to an Arrow {@link org.apache.arrow.vector.types.pojo.Schema}
 * and fills one reusable {@link org.apache.arrow.vector.VectorSchemaRoot} batch after batch (for
 * example 4096 rows). {@link io.pgfreezer.format.ParquetArchiveWriter} turns each batch into Parquet
 * rows. Arrow is the column model between the two because its allocator puts a hard cap on the
 * memory one batch may take; Parquet itself buffers one row group, so the memory a window takes is
 * one batch plus one row group, whatever the window's row count.
 *
 * <p>The Arrow types the writer accepts, and what each becomes (fields are nullable unless the
 * Arrow field is not nullable, which makes the Parquet column {@code required}):
 * <table>
 * <caption>Arrow to Parquet</caption>
 * <tr><th>Arrow</th><th>Parquet</th></tr>
 * <tr><td>Bool</td><td>BOOLEAN</td></tr>
 * <tr><td>Int(16, signed)</td><td>INT32 annotated INT(16, true)</td></tr>
 * <tr><td>Int(32, signed) / Int(64, signed)</td><td>INT32 / INT64</td></tr>
 * <tr><td>FloatingPoint SINGLE / DOUBLE</td><td>FLOAT / DOUBLE</td></tr>
 * <tr><td>Utf8</td><td>BINARY annotated STRING</td></tr>
 * <tr><td>Utf8 with field metadata {@code pg_freezer.logical=json}</td>
 *     <td>BINARY annotated JSON; the document text is stored as is, never re-encoded</td></tr>
 * <tr><td>Binary</td><td>BINARY</td></tr>
 * <tr><td>FixedSizeBinary(16) with field metadata {@code pg_freezer.logical=uuid}</td>
 *     <td>FIXED_LEN_BYTE_ARRAY(16) annotated UUID</td></tr>
 * <tr><td>Decimal(p, s)</td><td>DECIMAL(p, s) on INT32 when p &le; 9, INT64 when p &le; 18,
 *     otherwise FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold p digits (what Spark, Trino
 *     and Athena expect)</td></tr>
 * <tr><td>Date(DAY)</td><td>INT32 annotated DATE</td></tr>
 * <tr><td>Timestamp(MICROSECOND, any time zone)</td>
 *     <td>INT64 TIMESTAMP(MICROS, isAdjustedToUTC = true)</td></tr>
 * <tr><td>Timestamp(MICROSECOND, no time zone)</td>
 *     <td>INT64 TIMESTAMP(MICROS, isAdjustedToUTC = false)</td></tr>
 * <tr><td>Time(MICROSECOND, 64)</td><td>INT64 TIME(MICROS, false)</td></tr>
 * <tr><td>List of any type above</td><td>the standard three-level LIST:
 *     {@code <name> (LIST) { repeated group list { optional <type> element } }}; a
 *     {@code pg_freezer.logical} marker may be on the element field or on the list field</td></tr>
 * </table>
 * Anything else is refused when the writer opens, naming the column, so a type problem fails the
 * batch before a single byte is written.
 *
 * <p>Every field's {@code pg_freezer.pg_type} metadata (the PostgreSQL type name) is kept in the
 * file's key-value metadata as one JSON object, column name to type name, under
 * {@link io.pgfreezer.format.ArchiveMetadata#PG_TYPES}; the reader hands it back per column so
 * {@code fetch} can tell, say, {@code jsonb} from {@code text}. The metadata key names are in
 * {@link io.pgfreezer.format.ArchiveMetadata}.
 *
 * <h2>Reading</h2>
 * {@link io.pgfreezer.format.ParquetArchiveReader} reads a local file (verification downloads the
 * object to a temporary file first): {@code verify} decodes every page of every column and checks
 * each page's CRC, {@code footerSchema} lists the columns, and {@code open} streams rows as plain
 * Java values one row group at a time. It also reads files written by the original Python tool.
 * For a file that records its wire forms, {@code verify}'s value proof, the archived-rows set and
 * restore read {@link io.pgfreezer.format.ColumnarTuples} instead: the rows as binary COPY tuples,
 * decoded column by column into primitive buffers, in the bytes {@link io.pgfreezer.format.PgBinaryEncoder}
 * gives for the same rows. Unrepeated columns are decoded from their pages by pg-freezer itself
 * ({@code FlatPages}: levels, dictionary ids and plain values a page at a time); parquet-java
 * still reads, CRC-checks and decompresses the pages, and its column reader decodes arrays and
 * other writers' rarer forms. {@link io.pgfreezer.format.ArrivingFile} lets a copy be decoded
 * while it is still being downloaded.
 *
 * <h2>Hadoop</h2>
 * Files are written through {@link org.apache.parquet.io.OutputFile} and read through
 * {@link org.apache.parquet.io.InputFile} with a {@link org.apache.parquet.conf.PlainParquetConfiguration};
 * no Hadoop {@code FileSystem} is ever created, and pages are compressed and decompressed by
 * {@link io.pgfreezer.format.PlainCodecFactory} (snappy-java, zstd-jni, {@code java.util.zip}),
 * not by parquet-java's Hadoop-backed codec factory. Hadoop's API classes are still on the class
 * path only because {@code ParquetReadOptions}' builder loads {@code ParquetInputFormat}, a
 * subclass of Hadoop's {@code FileInputFormat}; none of Hadoop's implementation libraries are.
 */
package io.pgfreezer.format;
