package io.pgfreezer.format;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.schema.MessageType;

import io.pgfreezer.FreezerException;

/**
 * An archived file's rows as binary COPY tuples, decoded column by column: each column of a
 * batch of rows goes from its pages into primitive arrays or one byte buffer in PostgreSQL's
 * binary form ({@link ColumnDecoder}), and the rows are then put together from those buffers in
 * file order, with no object per row or per value for the forms export writes. The bytes are
 * those {@link PgBinaryEncoder} gives for the same rows, so the value proof, the archived-rows
 * set and restore's COPY stream are unchanged.
 *
 * <pre>{@code
 * try (ColumnarTuples tuples = reader.tuples(2)) {
 *     while (tuples.next()) {
 *         tuples.encodeAll();
 *         digest.update(tuples.buffer(), 0, tuples.length());
 *     }
 * }
 * }</pre>
 *
 * With more than one thread the columns are split into shares of about equal decoding work, each
 * decoded on a thread of its own through a Parquet reader of its own (parquet-java's
 * decompressors are not thread-safe), a few batches ahead of the caller. Not thread-safe.
 */
public final class ColumnarTuples implements AutoCloseable {

    /** Rows per batch: small enough for a few batches per share to stay in the CPU caches' reach. */
    static final int BATCH_ROWS = 4096;
    /**
     * Batches each share may decode ahead of the caller. Deep enough that a share descheduled for
     * a while (three threads share two cores during verification) finds work queued when it runs
     * again; {@link #AHEAD_BYTES} keeps wide rows from taking that many batches' memory.
     */
    private static final int DEPTH = 12;
    /** At most about this much decoded memory per share ahead of the caller, in however many batches. */
    private static final long AHEAD_BYTES = 16L * 1024 * 1024;

    private final String name;
    private final int width;
    private final int[][] parts;
    private final Share[] shares;
    private final ExecutorService pool;
    private final Batch[] taken;
    private final FieldColumn[] current;
    private int rows;
    private long rowsRead;
    private final int[] size = new int[BATCH_ROWS];
    private final int[] ends = new int[BATCH_ROWS];
    private byte[] out = new byte[256 * 1024];
    private int length;
    private final int[] all;

    /**
     * @param input  the file, for the readers of the other shares
     * @param file   the caller's reader of the file, used for the first share and closed with this
     * @param specs  each column's wire form, in file order
     * @param parts  file column positions of each share
     */
    ColumnarTuples(InputFile input, String name, ParquetFileReader file, List<PgWire.Spec> specs, int[][] parts) {
        this.name = name;
        this.width = specs.size();
        this.parts = parts;
        this.shares = new Share[parts.length];
        this.taken = new Batch[parts.length];
        this.current = new FieldColumn[width];
        this.all = java.util.stream.IntStream.range(0, width).toArray();
        MessageType schema = file.getFileMetaData().getSchema();
        VersionParser.ParsedVersion writer = writerVersion(file.getFileMetaData().getCreatedBy());
        try {
            for (int p = 0; p < parts.length; p++) {
                ParquetFileReader partFile = p == 0 ? file : ParquetArchiveReader.openFile(input, name);
                try {
                    shares[p] = new Share(partFile, schema, parts[p], specs, writer, parts.length > 1);
                } catch (RuntimeException e) {
                    closeQuietly(partFile, e);
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            // This owns every file it opened and the caller's: none may stay open.
            for (Share share : shares) {
                if (share != null) {
                    closeQuietly(share.file, e);
                }
            }
            throw e;
        }
        if (parts.length > 1) {
            pool = Executors.newFixedThreadPool(parts.length, r -> {
                Thread t = new Thread(r, "column-decoder " + name);
                t.setDaemon(true);
                return t;
            });
            for (Share share : shares) {
                pool.execute(share);
            }
        } else {
            pool = null;
        }
    }

    private static VersionParser.ParsedVersion writerVersion(String createdBy) {
        try {
            return VersionParser.parse(createdBy);
        } catch (RuntimeException | VersionParser.VersionParseException e) {
            // As parquet-java's own column store: an unknown writer gets no version-specific fixes.
            return null;
        }
    }

    /**
     * Moves to the next batch of rows.
     *
     * @return false after the last row
     * @throws FormatException        when a page does not decode (CRC, truncation, ...) or the
     *                                columns hold different numbers of rows
     * @throws ValueMismatchException when a value cannot be PostgreSQL's
     */
    public boolean next() {
        for (int p = 0; p < shares.length; p++) {
            if (taken[p] != null) {
                shares[p].recycle(taken[p]);
                taken[p] = null;
            }
        }
        for (int p = 0; p < shares.length; p++) {
            taken[p] = shares[p].take();
        }
        rows = taken[0].rows;
        for (Batch batch : taken) {
            if (batch.rows != rows) {
                throw new FormatException("Parquet file " + name
                        + " does not decode: its columns hold different numbers of rows");
            }
        }
        if (rows == 0) {
            return false;
        }
        for (int p = 0; p < parts.length; p++) {
            int[] part = parts[p];
            for (int j = 0; j < part.length; j++) {
                current[part[j]] = taken[p].columns[j];
            }
        }
        rowsRead += rows;
        length = 0;
        return true;
    }

    /** Rows in the current batch. */
    public int rows() {
        return rows;
    }

    /** Rows of every batch so far, the current one included. */
    public long rowsRead() {
        return rowsRead;
    }

    /** Encodes the current batch's rows with all the file's columns, in file order. */
    public void encodeAll() {
        encode(all);
    }

    /**
     * Encodes the current batch's rows as tuples of the given columns (file positions, in stream
     * order) into {@link #buffer()}: one after another, row {@code i} ending at {@link #rowEnd(int)}.
     */
    public void encode(int[] columns) {
        int n = rows;
        int[] s = size;
        java.util.Arrays.fill(s, 0, n, 2);
        for (int c : columns) {
            current[c].addSizes(s, n);
        }
        int total = 0;
        int[] at = ends;
        for (int r = 0; r < n; r++) {
            at[r] = total;
            total += s[r];
        }
        if (total > out.length) {
            out = new byte[Math.max(total, out.length * 2)];
        }
        short count = (short) columns.length;
        for (int r = 0; r < n; r++) {
            FieldColumn.SHORT.set(out, at[r], count);
            at[r] += 2;
        }
        for (int c : columns) {
            current[c].write(out, at, n);
        }
        length = total;
    }

    /** The tuples last encoded, from offset 0 to {@link #length()}. */
    public byte[] buffer() {
        return out;
    }

    public int length() {
        return length;
    }

    /** The offset just past row {@code i} of the tuples last encoded. */
    public int rowEnd(int i) {
        return ends[i];
    }

    @Override
    public void close() {
        if (pool != null) {
            // A caller that stops early leaves decoders blocked on full queues: interrupt them,
            // and close their files only once they have stopped reading.
            pool.shutdownNow();
            awaitQuietly(pool);
        }
        FormatException failure = null;
        for (Share share : shares) {
            try {
                share.file.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = new FormatException("could not close Parquet file " + name + ": "
                            + ParquetArchiveReader.describe(e), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
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

    private static void closeQuietly(ParquetFileReader file, RuntimeException failure) {
        try {
            file.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** One share's columns of a batch of rows. */
    private static final class Batch {
        final FieldColumn[] columns;
        int rows;

        Batch(FieldColumn[] columns) {
            this.columns = columns;
        }
    }

    /** The columns one reader decodes; on a thread of its own when there are several shares. */
    private final class Share implements Runnable {
        private final ParquetFileReader file;
        private final ColumnDecoder[] decoders;
        private final VersionParser.ParsedVersion writer;
        private final BlockingQueue<Batch> free;
        private final BlockingQueue<Batch> filled;
        private final Batch inline;
        private final Batch failed = new Batch(new FieldColumn[0]);
        private volatile Throwable failure;
        private long rowsLeftInGroup;
        private int rowGroup = -1;
        private long nextRow = 1;
        private boolean ended;
        private int created;
        private long batchBytes;

        Share(ParquetFileReader file, MessageType schema, int[] positions, List<PgWire.Spec> specs,
              VersionParser.ParsedVersion writer, boolean threaded) {
            this.file = file;
            this.writer = writer;
            List<org.apache.parquet.schema.Type> fields = new ArrayList<>();
            for (int c : positions) {
                fields.add(schema.getType(c));
            }
            MessageType read = new MessageType(schema.getName(), fields);
            if (positions.length != schema.getFieldCount()) {
                file.setRequestedSchema(read);
            }
            List<ColumnLayout> layouts = ColumnLayout.of(read, file.getFileMetaData().getKeyValueMetaData());
            List<ColumnDescriptor> leaves = read.getColumns();
            this.decoders = new ColumnDecoder[positions.length];
            for (int j = 0; j < positions.length; j++) {
                decoders[j] = ColumnDecoder.of(layouts.get(j), leaves.get(j), specs.get(positions[j]));
            }
            if (threaded) {
                free = new ArrayBlockingQueue<>(DEPTH + 1);
                filled = new ArrayBlockingQueue<>(DEPTH + 1);
                // More are made as decoding runs ahead, while they stay within AHEAD_BYTES.
                free.add(newBatch());
                created = 1;
                inline = null;
            } else {
                free = null;
                filled = null;
                inline = newBatch();
            }
        }

        private Batch newBatch() {
            FieldColumn[] columns = new FieldColumn[decoders.length];
            for (int j = 0; j < columns.length; j++) {
                columns[j] = decoders[j].newColumn(BATCH_ROWS);
            }
            return new Batch(columns);
        }

        /** Fills {@code batch} with the next rows; none after the last. */
        private void decode(Batch batch) {
            try {
                for (FieldColumn c : batch.columns) {
                    c.reset();
                }
                while (rowsLeftInGroup == 0) {
                    PageReadStore pages = file.readNextRowGroup();
                    if (pages == null) {
                        batch.rows = 0;
                        return;
                    }
                    rowGroup++;
                    rowsLeftInGroup = pages.getRowCount();
                    for (ColumnDecoder d : decoders) {
                        d.start(pages, writer, rowsLeftInGroup);
                    }
                }
                int n = (int) Math.min(BATCH_ROWS, rowsLeftInGroup);
                for (int j = 0; j < decoders.length; j++) {
                    decoders[j].decode(batch.columns[j], n, nextRow);
                }
                batch.rows = n;
                rowsLeftInGroup -= n;
                nextRow += n;
            } catch (IOException | RuntimeException e) {
                if (e instanceof FreezerException) {
                    throw (FreezerException) e;
                }
                throw new FormatException("Parquet file " + name + " does not decode (row group "
                        + Math.max(rowGroup, 0) + "): " + ParquetArchiveReader.describe(e), e);
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Batch batch = free.poll();
                    if (batch == null) {
                        if (created < DEPTH && (created + 1) * batchBytes <= AHEAD_BYTES) {
                            batch = newBatch();
                            created++;
                        } else {
                            batch = free.take();
                        }
                    }
                    decode(batch);
                    batchBytes = Math.max(batchBytes, footprint(batch));
                    filled.put(batch);
                    if (batch.rows == 0) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // The caller stopped reading; nothing is waiting for the rest.
            } catch (RuntimeException | Error e) {
                failure = e;
                try {
                    filled.put(failed);
                } catch (InterruptedException stopped) {
                    // The caller stopped reading and no longer waits for this failure.
                }
            }
        }

        /** The next batch; one of no rows after the last. */
        Batch take() {
            if (inline != null) {
                if (ended) {
                    inline.rows = 0;
                    return inline;
                }
                decode(inline);
                ended = inline.rows == 0;
                return inline;
            }
            Batch batch;
            try {
                batch = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FormatException("reading " + name + " was interrupted", e);
            }
            if (batch == failed) {
                Throwable t = failure;
                // Put back so that a second call fails the same way instead of waiting for ever.
                filled.offer(batch);
                if (t instanceof Error) {
                    throw (Error) t;
                }
                throw (RuntimeException) t;
            }
            if (batch.rows == 0) {
                filled.offer(batch);
            }
            return batch;
        }

        private long footprint(Batch batch) {
            long bytes = 0;
            for (FieldColumn c : batch.columns) {
                bytes += c.footprint();
            }
            return bytes;
        }

        void recycle(Batch batch) {
            if (inline == null && batch.rows > 0) {
                free.offer(batch);
            }
        }
    }
}
