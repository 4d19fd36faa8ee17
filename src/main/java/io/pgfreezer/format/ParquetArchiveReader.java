package io.pgfreezer.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

import io.pgfreezer.FreezerException;

/**
 * Reads an archived Parquet file from a local path: rows as Java values, one row group in memory
 * at a time, each page's CRC checked where the writer stored one.
 *
 * <pre>{@code
 * try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
 *     List<ArchiveColumn> columns = reader.columns();
 *     while (reader.next()) {
 *         Object ts = reader.get(0);
 *     }
 * }
 * }</pre>
 *
 * Values are of the type {@link ValueKind#javaType()} names for the column, {@code null} for NULL;
 * list columns give an unmodifiable {@code List}. Not thread-safe.
 */
public final class ParquetArchiveReader implements AutoCloseable {

    /** Threads {@link #verify(Path, String)} decodes columns on. */
    public static final int VERIFY_THREADS = 2;

    /** The file, for the further readers decoding threads need (parquet-java's are not thread-safe). */
    private final InputFile input;
    private final String name;
    private final ParquetFileReader file;
    private final List<ColumnLayout> layouts;
    private final List<ArchiveColumn> columns;
    private final MessageColumnIO columnIO;
    private final RowMaterializer materializer;
    private RecordReader<Object[]> rowGroup;
    private long rowsLeftInGroup;
    private int rowGroupIndex = -1;
    private Object[] current;

    private ParquetArchiveReader(InputFile input, String name, ParquetFileReader file) {
        this(input, name, file, null);
    }

    /** With {@code projection} (top-level column positions), reads and decodes only those columns. */
    private ParquetArchiveReader(InputFile input, String name, ParquetFileReader file, int[] projection) {
        this.input = input;
        this.name = name;
        this.file = file;
        MessageType schema = file.getFileMetaData().getSchema();
        MessageType read = schema;
        if (projection != null) {
            List<org.apache.parquet.schema.Type> fields = new java.util.ArrayList<>();
            for (int column : projection) {
                fields.add(schema.getType(column));
            }
            read = new MessageType(schema.getName(), fields);
            file.setRequestedSchema(read);
        }
        this.layouts = ColumnLayout.of(read, file.getFileMetaData().getKeyValueMetaData());
        this.columns = ColumnLayout.columns(layouts);
        this.columnIO = new ColumnIOFactory(file.getFileMetaData().getCreatedBy()).getColumnIO(read, schema);
        this.materializer = new RowMaterializer(layouts);
    }

    /**
     * Opens a file and reads its footer.
     *
     * @throws FormatException when the file is not Parquet, its footer does not decode, or a
     *                         column has a type pg-freezer cannot read
     */
    public static ParquetArchiveReader open(Path path) {
        return open(path, String.valueOf(path.getFileName()));
    }

    /**
     * As {@link #open(Path)}, for a local copy of a stored object: messages name {@code name}
     * (the object's URI), which the operator can act on, not the temporary file.
     */
    public static ParquetArchiveReader open(Path path, String name) {
        return open(localFile(path, name), name);
    }

    private static ParquetArchiveReader open(InputFile input, String name) {
        ParquetFileReader file = openFile(input, name);
        try {
            return new ParquetArchiveReader(input, name, file);
        } catch (RuntimeException e) {
            closeQuietly(file, e);
            throw e;
        }
    }

    /**
     * Decodes every value of every column in every row group, checking page CRCs, and counts
     * the rows.
     *
     * @throws FormatException when anything fails to decode, or the rows decoded differ from the
     *                         footer's count
     */
    public static VerifiedFile verify(Path path) {
        return verify(path, String.valueOf(path.getFileName()));
    }

    /**
     * As {@link #verify(Path)}, for a local copy of a stored object: messages name {@code name}
     * (the object's key or URI), not the temporary file the operator never sees.
     */
    public static VerifiedFile verify(Path path, String name) {
        return verify(path, name, VERIFY_THREADS);
    }

    /**
     * As {@link #verify(Path, String)}, decoding the columns on {@code threads} threads (1: all
     * on the caller's). Each thread reads its share of the columns through a reader of its own,
     * since parquet-java's decompressors are not thread-safe. A file with wire forms is decoded
     * column by column into PostgreSQL's binary form ({@link ColumnarTuples}), and the caller
     * puts the rows together in file order for the value proof, so the proof is the same
     * whatever the split.
     */
    public static VerifiedFile verify(Path path, String name, int threads) {
        return verify(localFile(path, name), name, threads);
    }

    /**
     * As {@link #verify(Path, String)}, for a copy still being downloaded: row groups are decoded
     * as their bytes arrive. The caller must still see {@link ArrivingFile#tailMatches()} before
     * the verdict counts for the object.
     */
    public static VerifiedFile verify(ArrivingFile arriving, String name) {
        return verify(arriving.inputFile(name), name, VERIFY_THREADS);
    }

    private static VerifiedFile verify(InputFile input, String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads below 1: " + threads);
        }
        try (ParquetArchiveReader reader = open(input, name)) {
            List<PgWire.Spec> specs = reader.proofSpecs();
            long decoded;
            if (specs == null) {
                int[][] parts = reader.columnShares(threads);
                decoded = parts.length < 2 ? reader.decodeHere() : reader.decodeSplit(parts);
            } else {
                decoded = reader.proveValues(specs, threads);
            }
            long footerRows = reader.rowCount();
            if (decoded != footerRows) {
                throw new FormatException("Parquet file " + name + " decodes to " + decoded
                        + " rows but its footer counts " + footerRows);
            }
            return new VerifiedFile(decoded, footerRows, reader.file.getRowGroups().size());
        }
    }

    /**
     * The value proof: every row encoded back into PostgreSQL's binary form, column by column
     * ({@link ColumnarTuples}), and the digest of the stream compared with the footer's.
     *
     * @return the rows decoded
     */
    private long proveValues(List<PgWire.Spec> specs, int threads) {
        ValueDigest proof = new ValueDigest();
        long decoded;
        try (ColumnarTuples tuples = new ColumnarTuples(input, name, openFile(input, name), specs, columnShares(threads))) {
            while (tuples.next()) {
                tuples.encodeAll();
                proof.update(tuples.buffer(), 0, tuples.length());
            }
            decoded = tuples.rowsRead();
        }
        String expected = file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.VALUE_DIGEST);
        String actual = proof.finish();
        if (!actual.equals(expected)) {
            throw new ValueMismatchException("the values in " + name
                    + ", encoded back into PostgreSQL's binary form, have digest " + actual
                    + " but the values PostgreSQL sent at export had " + expected);
        }
        return decoded;
    }

    /**
     * This file's rows as binary COPY tuples, decoded column by column on {@code threads}
     * threads; the caller closes it. The columns are the file's own, with the wire forms its
     * footer records.
     *
     * @throws FormatException when the footer records no wire forms (the file was written by
     *                         another tool)
     */
    public ColumnarTuples tuples(int threads) {
        List<PgWire.Spec> specs = proofSpecs();
        if (specs == null) {
            throw new FormatException(name + " records no PostgreSQL wire forms (it was written by another tool "
                    + "or an earlier version)");
        }
        return new ColumnarTuples(input, name, openFile(input, name), specs, columnShares(threads));
    }

    private long decodeHere() {
        long decoded = 0;
        while (next()) {
            decoded++;
        }
        return decoded;
    }

    /**
     * Splits the columns into at most {@code threads} shares of about equal decoding work, which
     * follows the bytes a column's values take uncompressed.
     */
    private int[][] columnShares(int threads) {
        int width = columns.size();
        int shares = Math.min(threads, width);
        if (shares < 2) {
            return new int[][] {java.util.stream.IntStream.range(0, width).toArray()};
        }
        long[] weight = new long[width];
        for (org.apache.parquet.hadoop.metadata.BlockMetaData block : file.getRowGroups()) {
            for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData chunk : block.getColumns()) {
                String top = chunk.getPath().toArray()[0];
                for (int c = 0; c < width; c++) {
                    if (columns.get(c).name().equals(top)) {
                        weight[c] += chunk.getTotalUncompressedSize();
                    }
                }
            }
        }
        Integer[] heaviestFirst = java.util.stream.IntStream.range(0, width).boxed()
                .sorted((a, b) -> Long.compare(weight[b], weight[a])).toArray(Integer[]::new);
        List<List<Integer>> assigned = new java.util.ArrayList<>();
        long[] load = new long[shares];
        for (int i = 0; i < shares; i++) {
            assigned.add(new java.util.ArrayList<>());
        }
        for (int c : heaviestFirst) {
            int lightest = 0;
            for (int i = 1; i < shares; i++) {
                if (load[i] < load[lightest]) {
                    lightest = i;
                }
            }
            assigned.get(lightest).add(c);
            load[lightest] += Math.max(1, weight[c]);
        }
        return assigned.stream().filter(a -> !a.isEmpty())
                .map(a -> a.stream().mapToInt(Integer::intValue).sorted().toArray()).toArray(int[][]::new);
    }

    /** Decodes each share of the columns on a thread of its own and counts the rows they agree on. */
    private long decodeSplit(int[][] parts) {
        List<ColumnShare> shares = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(parts.length, r -> {
            Thread t = new Thread(r, "verify-decoder " + name);
            t.setDaemon(true);
            return t;
        });
        try {
            for (int[] part : parts) {
                ParquetFileReader partFile = openFile(input, name);
                try {
                    shares.add(new ColumnShare(new ParquetArchiveReader(input, name, partFile, part)));
                } catch (RuntimeException e) {
                    closeQuietly(partFile, e);
                    throw e;
                }
            }
            for (ColumnShare share : shares) {
                pool.execute(share);
            }
            long decoded = 0;
            Object[][][] slices = new Object[parts.length][][];
            while (true) {
                for (int p = 0; p < slices.length; p++) {
                    slices[p] = shares.get(p).take();
                }
                int rows = slices[0].length;
                for (Object[][] slice : slices) {
                    if (slice.length != rows) {
                        throw new FormatException("Parquet file " + name
                                + " does not decode: its columns hold different numbers of rows");
                    }
                }
                if (rows == 0) {
                    return decoded;
                }
                decoded += rows;
            }
        } finally {
            // A failure here leaves decoders blocked on full queues: interrupt them, and close
            // their files only once they have stopped reading.
            pool.shutdownNow();
            awaitQuietly(pool);
            for (ColumnShare share : shares) {
                try {
                    share.reader.close();
                } catch (FormatException e) {
                    // Every value was read or the verification failed already; neither changes.
                }
            }
        }
    }

    private static void awaitQuietly(java.util.concurrent.ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One thread's columns: decoded rows go out in slices through a small bounded queue. */
    private static final class ColumnShare implements Runnable {
        private static final int SLICE_ROWS = 1024;
        private static final Object[][] END = new Object[0][];
        private static final Object[][] FAILED = new Object[0][];

        private final ParquetArchiveReader reader;
        private final java.util.concurrent.BlockingQueue<Object[][]> out = new java.util.concurrent.ArrayBlockingQueue<>(4);
        private volatile Throwable failure;

        ColumnShare(ParquetArchiveReader reader) {
            this.reader = reader;
        }

        @Override
        public void run() {
            try {
                Object[][] slice = new Object[SLICE_ROWS][];
                int n = 0;
                while (reader.next()) {
                    slice[n++] = reader.current;
                    if (n == SLICE_ROWS) {
                        out.put(slice);
                        slice = new Object[SLICE_ROWS][];
                        n = 0;
                    }
                }
                if (n > 0) {
                    out.put(java.util.Arrays.copyOf(slice, n));
                }
                out.put(END);
            } catch (InterruptedException e) {
                // The caller stopped reading; nothing is waiting for the rest.
            } catch (RuntimeException | Error e) {
                failure = e;
                try {
                    out.put(FAILED);
                } catch (InterruptedException stopped) {
                    // The caller stopped reading and no longer waits for this failure.
                }
            }
        }

        /** The next slice; an empty one after the last row. */
        Object[][] take() {
            Object[][] slice;
            try {
                slice = out.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FormatException("verification was interrupted", e);
            }
            if (slice == FAILED) {
                if (failure instanceof Error) {
                    throw (Error) failure;
                }
                throw (RuntimeException) failure;
            }
            return slice;
        }
    }

    /**
     * Adds every row of an archived file to {@code into} as PostgreSQL would send it, for a table
     * whose columns and wire forms are now {@code columns} and {@code wireSpecs}. Every value is
     * decoded, and the file's value proof is checked on the way, so a row counts as archived only
     * when the file provably holds it.
     *
     * @return the rows added
     * @throws FormatException when the file records no wire forms (written by another tool), its
     *                         columns or their wire forms differ from the table's, it does not
     *                         decode, or its values do not match its proof
     */
    public static long addArchivedRows(Path path, String name, List<String> columns, List<String> wireSpecs,
                                       ArchivedRows into) {
        try (ParquetArchiveReader reader = open(path, name)) {
            String json = reader.file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.PG_WIRE);
            if (json == null) {
                throw new FormatException(name + " records no PostgreSQL wire forms (it was written by another tool "
                        + "or an earlier version), so its rows cannot be compared with the table's");
            }
            Map<String, String> wire = ColumnLayout.stringMap(json, ArchiveMetadata.PG_WIRE);
            List<String> names = reader.columns.stream().map(ArchiveColumn::name).toList();
            List<String> specs = names.stream().map(wire::get).toList();
            if (!names.equals(columns) || !specs.equals(wireSpecs)) {
                throw new FormatException(name + " holds columns " + describeColumns(names, specs)
                        + " but the table now has " + describeColumns(columns, wireSpecs)
                        + ", so its rows cannot be compared with the table's");
            }
            ValueDigest proof = new ValueDigest();
            into.reserve(reader.rowCount());
            long decoded;
            try (ColumnarTuples tuples = reader.tuples(1)) {
                while (tuples.next()) {
                    tuples.encodeAll();
                    byte[] buffer = tuples.buffer();
                    proof.update(buffer, 0, tuples.length());
                    int start = 0;
                    for (int i = 0; i < tuples.rows(); i++) {
                        int end = tuples.rowEnd(i);
                        into.add(buffer, start, end - start);
                        start = end;
                    }
                }
                decoded = tuples.rowsRead();
            }
            String expected = reader.file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.VALUE_DIGEST);
            if (expected == null || !expected.equals(proof.finish())) {
                throw new ValueMismatchException("the values in " + name + " do not match the value digest in its footer");
            }
            return decoded;
        }
    }

    private static String describeColumns(List<String> names, List<String> specs) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < names.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(names.get(i)).append(' ').append(i < specs.size() ? specs.get(i) : "?");
        }
        return b.append(')').toString();
    }

    /**
     * The value proof of a file written by export, which records each column's PostgreSQL wire
     * form; null for files that do not (other writers, the original tool), whose proof is the
     * byte checksum and the decode alone.
     */
    private List<PgWire.Spec> proofSpecs() {
        String json = file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.PG_WIRE);
        if (json == null) {
            return null;
        }
        Map<String, String> wire = ColumnLayout.stringMap(json, ArchiveMetadata.PG_WIRE);
        return columns.stream().map(ArchiveColumn::name).map(name -> {
            String spec = wire.get(name);
            if (spec == null) {
                throw new ValueMismatchException("the footer of " + this.name + " names no wire form for column \""
                        + name + "\"");
            }
            return PgWire.parse(spec);
        }).toList();
    }

    /**
     * The footer's wire form of each column ({@link PgWire} specs by column name); empty for a
     * file written without them (by the original tool).
     */
    public Map<String, String> wireSpecs() {
        String json = file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.PG_WIRE);
        return json == null ? Map.of() : ColumnLayout.stringMap(json, ArchiveMetadata.PG_WIRE);
    }

    /** The footer's PostgreSQL type of each column ({@code format_type} text) by name; may be empty. */
    public Map<String, String> pgTypes() {
        String json = file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.PG_TYPES);
        return json == null ? Map.of() : ColumnLayout.stringMap(json, ArchiveMetadata.PG_TYPES);
    }

    /** The footer's {@link ArchiveMetadata#VALUE_DIGEST}; null when the writer recorded none. */
    public String valueDigest() {
        return file.getFileMetaData().getKeyValueMetaData().get(ArchiveMetadata.VALUE_DIGEST);
    }

    /** The columns a file's footer declares, without reading any data. */
    public static List<ArchiveColumn> footerSchema(Path path) {
        try (ParquetArchiveReader reader = open(path)) {
            return reader.columns();
        }
    }

    /** Top-level columns in file order; {@link #get(int)} takes the same positions. */
    public List<ArchiveColumn> columns() {
        return columns;
    }

    /** Rows the footer counts. */
    public long rowCount() {
        return file.getRecordCount();
    }

    /** The footer's key-value metadata. */
    public Map<String, String> keyValueMetadata() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(file.getFileMetaData().getKeyValueMetaData()));
    }

    /**
     * Moves to the next row, reading the next row group when the current one is used up.
     *
     * @return false after the last row
     * @throws FormatException when a page does not decode
     */
    public boolean next() {
        try {
            while (rowsLeftInGroup == 0) {
                PageReadStore pages = file.readNextRowGroup();
                if (pages == null) {
                    current = null;
                    return false;
                }
                rowGroupIndex++;
                rowsLeftInGroup = pages.getRowCount();
                rowGroup = columnIO.getRecordReader(pages, materializer);
            }
            current = rowGroup.read();
            rowsLeftInGroup--;
            return true;
        } catch (IOException | RuntimeException e) {
            if (e instanceof FreezerException) {
                throw (FreezerException) e;
            }
            current = null;
            throw new FormatException("Parquet file " + name + " does not decode (row group "
                    + Math.max(rowGroupIndex, 0) + "): " + describe(e), e);
        }
    }

    /** Value of a column in the current row; {@code null} for NULL. */
    public Object get(int column) {
        if (current == null) {
            throw new IllegalStateException("no current row; call next() first");
        }
        return current[column];
    }

    /** The current row's values, in column order; the array is the caller's to keep. */
    public Object[] row() {
        if (current == null) {
            throw new IllegalStateException("no current row; call next() first");
        }
        return current.clone();
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new FormatException("could not close Parquet file " + name + ": " + describe(e), e);
        }
    }

    static ParquetFileReader openFile(Path path, String name) {
        return openFile(localFile(path, name), name);
    }

    private static InputFile localFile(Path path, String name) {
        if (!Files.isRegularFile(path)) {
            throw new FormatException("Parquet file " + path + " does not exist");
        }
        return new NamedInputFile(path, name);
    }

    static ParquetFileReader openFile(InputFile input, String name) {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .usePageChecksumVerification(true)
                .withCodecFactory(PlainCodecFactory.INSTANCE)
                .build();
        try {
            return ParquetFileReader.open(input, options);
        } catch (IOException | RuntimeException e) {
            throw new FormatException("Parquet file " + name
                    + " is not readable Parquet (its footer does not decode): " + describe(e), e);
        }
    }

    private static void closeQuietly(ParquetFileReader file, RuntimeException failure) {
        try {
            file.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Parquet names the input file in its messages by {@code toString()}. */
    private static final class NamedInputFile extends LocalInputFile {
        private final String name;

        NamedInputFile(Path path, String name) {
            super(path);
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The innermost message, which names the actual problem (CRC, truncated page, ...). */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
