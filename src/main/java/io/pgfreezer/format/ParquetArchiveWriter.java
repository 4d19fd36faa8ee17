package io.pgfreezer.format;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.GlobalConfig.Compression;
import io.pgfreezer.storage.ObjectOutput;

/**
 * Streams Arrow batches into one Parquet file on an {@link ObjectOutput}.
 *
 * <p>Each batch is written column by column straight into parquet-java's column writers (no
 * record assembly), and a row group is flushed at the first batch boundary where its buffered
 * size reaches {@code rowGroupBytes}.
 *
 * <p>Memory: each batch is encoded as it arrives and may be reused by the caller as soon as
 * {@link #write} returns; Parquet keeps the current row group in memory (about
 * {@code rowGroupBytes}) and hands it to the sink when full, so memory does not grow with the
 * file's row count.
 *
 * <p>The writer never commits, aborts or closes the sink: after {@link #finish()} the caller
 * compares and commits, and after a failure it aborts. {@link #close()} without {@link #finish()}
 * abandons the file and leaves the sink's remaining bytes unwritten. Not thread-safe.
 */
public final class ParquetArchiveWriter implements AutoCloseable {

    /**
     * Row group size. The writer holds one row group and verification reads one whole, so this
     * sets most of the heap a run needs, and the collector grows the heap further the more full
     * row groups pass through it: peak RSS of a 10,000,000-row window measured 371 MiB at 64 MiB,
     * 269 MiB at 16 MiB and 207 MiB at 8 MiB, where a 1,000,000-row window (at most two groups)
     * took about 180 MiB at any of them. Query engines read such groups well: DuckDB itself
     * writes some 122,880 rows per group, a few MiB for most tables.
     */
    public static final long DEFAULT_ROW_GROUP_BYTES = 8L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ParquetArchiveWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum State { OPEN, FINISHED, FAILED, CLOSED }

    private final ObjectOutput sink;
    private final List<Field> fields;
    private final MessageType parquetSchema;
    private final DigestingOutputFile file;
    private final ParquetProperties properties;
    private final CompressionCodecFactory codecs;
    private final BytesInputCompressor compressor;
    private final ParquetFileWriter fileWriter;
    private final Map<String, String> keyValues;
    private final long rowGroupBytes;
    private final boolean wireRecorded;
    private final ColumnDescriptor[] leaves;
    private ColumnChunkPageWriteStore pageStore;
    private ColumnWriteStore store;
    private long rowsInGroup;
    private long rows;
    private State state = State.OPEN;

    private ParquetArchiveWriter(ObjectOutput sink, Schema arrowSchema, MessageType parquetSchema,
                                 DigestingOutputFile file, ParquetProperties properties, CompressionCodecFactory codecs,
                                 BytesInputCompressor compressor, ParquetFileWriter fileWriter,
                                 Map<String, String> keyValues, long rowGroupBytes) {
        this.sink = sink;
        this.fields = List.copyOf(arrowSchema.getFields());
        this.parquetSchema = parquetSchema;
        this.file = file;
        this.properties = properties;
        this.codecs = codecs;
        this.compressor = compressor;
        this.fileWriter = fileWriter;
        this.keyValues = keyValues;
        this.rowGroupBytes = rowGroupBytes;
        this.wireRecorded = !ArrowToParquet.fieldMetadata(arrowSchema, ArchiveMetadata.WIRE).isEmpty();
        // Every top-level column of this package's schemas has exactly one leaf, in column order.
        this.leaves = parquetSchema.getColumns().toArray(ColumnDescriptor[]::new);
        if (leaves.length != fields.size()) {
            throw new IllegalStateException("a column without exactly one Parquet leaf");
        }
        startRowGroup();
    }

    /** Opens a writer with {@link #DEFAULT_ROW_GROUP_BYTES}. */
    public static ParquetArchiveWriter open(ObjectOutput sink, Schema arrowSchema, Compression codec,
                                            Map<String, String> extraKeyValueMetadata) {
        return open(sink, arrowSchema, codec, extraKeyValueMetadata, DEFAULT_ROW_GROUP_BYTES);
    }

    /**
     * Opens a writer; bytes reach the sink as row groups fill, and the footer at {@link #finish()}.
     *
     * @param extraKeyValueMetadata stored in the footer as is, next to {@link ArchiveMetadata#PG_TYPES}
     * @throws FormatException when a column's Arrow type has no Parquet mapping, naming the column
     */
    public static ParquetArchiveWriter open(ObjectOutput sink, Schema arrowSchema, Compression codec,
                                            Map<String, String> extraKeyValueMetadata, long rowGroupBytes) {
        if (rowGroupBytes < 1024 * 1024) {
            throw new IllegalArgumentException("row group size below 1 MiB: " + rowGroupBytes);
        }
        if (extraKeyValueMetadata.containsKey(ArchiveMetadata.PG_TYPES)) {
            throw new IllegalArgumentException(ArchiveMetadata.PG_TYPES + " is written by the writer itself");
        }
        MessageType parquetSchema = ArrowToParquet.messageType(arrowSchema);
        Map<String, String> keyValues = new LinkedHashMap<>(extraKeyValueMetadata);
        keyValues.put(ArchiveMetadata.PG_TYPES, toJson(ArrowToParquet.pgTypes(arrowSchema)));
        Map<String, String> wire = ArrowToParquet.fieldMetadata(arrowSchema, ArchiveMetadata.WIRE);
        if (!wire.isEmpty()) {
            if (wire.size() != arrowSchema.getFields().size()) {
                throw new IllegalArgumentException("either every column names its " + ArchiveMetadata.WIRE + " or none");
            }
            keyValues.put(ArchiveMetadata.PG_WIRE, toJson(wire));
        }
        keyValues.putIfAbsent(ArchiveMetadata.SPARK_VERSION, ArchiveMetadata.SPARK_VERSION_VALUE);

        keyValues.put("writer.model.name", "pg-freezer");

        DigestingOutputFile file = new DigestingOutputFile(sink);
        ParquetProperties.Builder builder = ParquetProperties.builder()
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(true)
                .withPageWriteChecksumEnabled(true);
        for (ColumnDescriptor leaf : parquetSchema.getColumns()) {
            // Minimum and maximum of JSON documents (byte order of their text) let no engine
            // skip anything, yet keeping them compared and copied every document: without them
            // the writer's thread spends about a sixth less time on a table with one jsonb column.
            if (leaf.getPrimitiveType().getLogicalTypeAnnotation()
                    instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
                builder.withStatisticsEnabled(String.join(".", leaf.getPath()), false);
            }
        }
        ParquetProperties properties = builder.build();
        CompressionCodecFactory codecs = PlainCodecFactory.INSTANCE;
        try {
            ParquetFileWriter fileWriter = new ParquetFileWriter(file, parquetSchema, ParquetFileWriter.Mode.CREATE,
                    rowGroupBytes, 0, properties.getColumnIndexTruncateLength(),
                    properties.getStatisticsTruncateLength(), properties.getPageWriteChecksumEnabled());
            fileWriter.start();
            return new ParquetArchiveWriter(sink, arrowSchema, parquetSchema, file, properties, codecs,
                    codecs.getCompressor(codecName(codec)), fileWriter, keyValues, rowGroupBytes);
        } catch (IOException | RuntimeException e) {
            codecs.release();
            throw failure("could not start the Parquet file", e);
        }
    }

    private void startRowGroup() {
        pageStore = new ColumnChunkPageWriteStore(compressor, parquetSchema, properties.getAllocator(),
                properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
        store = properties.newColumnWriteStore(parquetSchema, pageStore);
        rowsInGroup = 0;
    }

    private void flushRowGroup() throws IOException {
        if (rowsInGroup > 0) {
            fileWriter.startBlock(rowsInGroup);
            store.flush();
            pageStore.flushToFileWriter(fileWriter);
            fileWriter.endBlock();
        }
        store.close();
        pageStore.close();
    }

    /**
     * Encodes every row of {@code batch}. The batch must have the schema the writer was opened
     * with; it may be cleared and refilled once this returns.
     */
    public void write(VectorSchemaRoot batch) {
        requireOpen();
        if (!batch.getSchema().getFields().equals(fields)) {
            throw new IllegalArgumentException("batch schema " + batch.getSchema()
                    + " differs from the file's schema " + new Schema(fields));
        }
        int batchRows = batch.getRowCount();
        ColumnWriter[] columns = ColumnWriter.bind(parquetSchema, batch.getFieldVectors());
        for (int i = 0; i < columns.length; i++) {
            columns[i].checkRequired(batchRows, parquetSchema.getType(i).isRepetition(Type.Repetition.REQUIRED));
        }
        try {
            for (int i = 0; i < columns.length; i++) {
                columns[i].writeColumn(store.getColumnWriter(leaves[i]), batchRows, leaves[i].getMaxDefinitionLevel());
            }
            for (int row = 0; row < batchRows; row++) {
                store.endRecord();
            }
            rowsInGroup += batchRows;
            rows += batchRows;
            if (store.getBufferedSize() >= rowGroupBytes) {
                flushRowGroup();
                startRowGroup();
            }
        } catch (IOException | RuntimeException e) {
            // A column may be half written; nothing more can go into this file.
            state = State.FAILED;
            throw failure("could not write rows to the Parquet file", e);
        }
    }

    /**
     * Writes the footer and flushes everything to the sink; the sink is left open for the caller
     * to commit.
     */
    public WrittenFile finish() {
        return finish(Map.of());
    }

    /**
     * As {@link #finish()}, adding key-value metadata known only once every row is written (the
     * value digest).
     */
    public WrittenFile finish(Map<String, String> closingMetadata) {
        requireOpen();
        if (!wireRecorded && closingMetadata.containsKey(ArchiveMetadata.VALUE_DIGEST)) {
            throw new IllegalArgumentException("a value digest needs every column's wire form");
        }
        if (wireRecorded && closingMetadata.get(ArchiveMetadata.VALUE_DIGEST) == null) {
            // Verification demands the digest of every file that records wire forms.
            throw new IllegalArgumentException("a file recording wire forms must carry the value digest");
        }
        state = State.FAILED;
        long footerRows;
        try {
            flushRowGroup();
            Map<String, String> footer = new LinkedHashMap<>(keyValues);
            footer.putAll(closingMetadata);
            fileWriter.end(footer);
            footerRows = fileWriter.getFooter().getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
        } catch (IOException | RuntimeException e) {
            throw failure("could not finish the Parquet file", e);
        } finally {
            codecs.release();
        }
        if (footerRows != rows) {
            throw new FormatException("the Parquet footer counts " + footerRows + " rows but "
                    + rows + " were written");
        }
        long bytes = file.bytes();
        if (sink.position() != bytes) {
            throw new FormatException("storage accepted " + sink.position() + " bytes of a "
                    + bytes + "-byte Parquet file");
        }
        state = State.FINISHED;
        return new WrittenFile(rows, bytes, file.sha256Hex());
    }

    /** Rows accepted so far. */
    public long rows() {
        return rows;
    }

    /** Releases the writer; without {@link #finish()} first, the file is abandoned. */
    @Override
    public void close() {
        if (state == State.FINISHED || state == State.CLOSED) {
            state = State.CLOSED;
            return;
        }
        boolean wasOpen = state == State.OPEN || state == State.FAILED;
        state = State.CLOSED;
        if (wasOpen) {
            // Releasing the codecs and buffers; nothing more reaches the sink.
            file.discard();
            try {
                store.close();
                pageStore.close();
            } catch (RuntimeException e) {
                LOG.debug("abandoned Parquet writer did not close cleanly", e);
            } finally {
                codecs.release();
            }
        }
    }

    /** Bytes Parquet holds in memory and has not yet handed to the sink. */
    long bufferedBytes() {
        try {
            return fileWriter.getPos() + store.getBufferedSize() - file.bytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("the Parquet writer is " + state.name().toLowerCase());
        }
    }

    private static CompressionCodecName codecName(Compression codec) {
        switch (codec) {
            case SNAPPY:
                return CompressionCodecName.SNAPPY;
            case ZSTD:
                return CompressionCodecName.ZSTD;
            case GZIP:
                return CompressionCodecName.GZIP;
            case UNCOMPRESSED:
                return CompressionCodecName.UNCOMPRESSED;
            default:
                throw new IllegalArgumentException("unknown compression " + codec);
        }
    }

    private static String toJson(Map<String, String> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    /** Keeps a failure that already speaks to the operator (storage, a column) as it is. */
    private static FreezerException failure(String what, Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof FreezerException) {
                return (FreezerException) cause;
            }
        }
        return new FormatException(what + ": " + ParquetArchiveReader.describe(e), e);
    }
}
