package io.pgfreezer.restore;

import io.pgfreezer.format.ColumnarTuples;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.format.PgBinaryEncoder;
import io.pgfreezer.format.ValueDigest;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Decodes one archived file, encodes its rows as binary COPY tuples and digests them on a thread
 * of its own, handing the tuples over in large buffers: PostgreSQL spends most of a restore
 * taking the COPY stream in, and this way the decoding overlaps that wait instead of adding to
 * it. The queue between the two sides is bounded, so memory stays at a few buffers whatever the
 * file's size.
 *
 * <p>A failure on this side reaches the consumer as the exception itself, at the point of the
 * stream where it happened; a consumer that stops early {@linkplain #close() closes} this, which
 * ends the thread before the reader it uses is closed.
 */
final class TupleProducer implements AutoCloseable {
    /** Buffers filled and waiting; with the one being filled and the one being sent, all there are. */
    private static final int DEPTH = 3;

    /** Encoded tuples ready for the COPY stream, and how many rows they end. */
    record Chunk(byte[] bytes, int length, long rows) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0, 0);
    private static final Chunk FAILED = new Chunk(new byte[0], 0, 0);

    private final ParquetArchiveReader reader;
    private final PgBinaryEncoder encoder;
    private final ColumnarTuples columnar;
    private final int[] sent;
    private final ValueDigest proof;
    private final boolean digestSent;
    private final int bufferSize;
    private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(DEPTH);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile long rows;
    private volatile String digest;

    /**
     * @param columnar   the file's rows decoded column by column, when every column sent is in its
     *                   file's own wire form; null to decode and encode row by row through
     *                   {@code reader} and {@code encoder}
     * @param sent       positions of the file's columns sent, in stream order
     * @param digestSent whether the proof covers the bytes sent, rather than the file's own rows
     */
    TupleProducer(String name, ParquetArchiveReader reader, PgBinaryEncoder encoder, ColumnarTuples columnar, int[] sent,
                  ValueDigest proof, boolean digestSent, int bufferSize) {
        this.reader = reader;
        this.encoder = encoder;
        this.columnar = columnar;
        this.sent = sent.clone();
        this.proof = proof;
        this.digestSent = digestSent;
        this.bufferSize = bufferSize;
        for (int i = 0; i < DEPTH + 2; i++) {
            free.add(new byte[bufferSize]);
        }
        thread = new Thread(this::produce, "restore-encoder " + name);
        // A restore that dies must not be held up by this thread; the transaction it fed rolls back.
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * The next buffer for the COPY stream, starting with the stream header and ending with its
     * trailer; null after the last. Hand each one back through {@link #recycle} once written.
     *
     * @throws RuntimeException what stopped the decoding or encoding, as it was thrown
     */
    Chunk next() {
        Chunk c;
        try {
            c = filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException("the restore was interrupted while reading the archive; nothing was restored");
        }
        if (c == FAILED) {
            // Put back so that a second call fails the same way instead of waiting for ever.
            filled.offer(FAILED);
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(t);
        }
        if (c == END) {
            filled.offer(END);
            return null;
        }
        return c;
    }

    void recycle(Chunk c) {
        if (c.bytes().length == bufferSize) {
            free.offer(c.bytes());
        }
    }

    /** Rows encoded; final once {@link #next()} returned null. */
    long rows() {
        return rows;
    }

    /** The proof's digest of what was encoded; set once {@link #next()} returned null. */
    String digest() {
        return digest;
    }

    /** Stops the thread if it still runs and waits for it, so the reader is free to close. */
    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void produce() {
        try {
            byte[] out = free.take();
            System.arraycopy(PgBinaryEncoder.COPY_HEADER, 0, out, 0, PgBinaryEncoder.COPY_HEADER.length);
            int used = PgBinaryEncoder.COPY_HEADER.length;
            long count = 0;
            if (columnar != null) {
                while (columnar.next()) {
                    if (!digestSent) {
                        columnar.encodeAll();
                        proof.update(columnar.buffer(), 0, columnar.length());
                    }
                    columnar.encode(sent);
                    if (digestSent) {
                        proof.update(columnar.buffer(), 0, columnar.length());
                    }
                    // Whole tuples into each buffer, as many as fit; one larger than a buffer goes alone.
                    byte[] tuples = columnar.buffer();
                    int from = 0;
                    int row = 0;
                    int rows = columnar.rows();
                    while (row < rows) {
                        int last = row;
                        while (last < rows && columnar.rowEnd(last) - from <= out.length - used) {
                            last++;
                        }
                        if (last == row) {
                            if (used > 0) {
                                filled.put(new Chunk(out, used, count));
                                out = free.take();
                                used = 0;
                                continue;
                            }
                            int end = columnar.rowEnd(row);
                            count++;
                            filled.put(new Chunk(Arrays.copyOfRange(tuples, from, end), end - from, count));
                            from = end;
                            row++;
                            continue;
                        }
                        int end = columnar.rowEnd(last - 1);
                        System.arraycopy(tuples, from, out, used, end - from);
                        used += end - from;
                        count += last - row;
                        from = end;
                        row = last;
                    }
                }
            }
            Object[] row = new Object[sent.length];
            while (columnar == null && reader.next()) {
                count++;
                for (int i = 0; i < sent.length; i++) {
                    row[i] = reader.get(sent[i]);
                }
                encoder.encode(row, count);
                int n = encoder.length();
                if (digestSent) {
                    proof.update(encoder.buffer(), 0, n);
                } else {
                    proof.addRow(reader.row(), count);
                }
                if (used + n > out.length) {
                    filled.put(new Chunk(out, used, count - 1));
                    out = free.take();
                    used = 0;
                    if (n > out.length) {
                        // A tuple larger than a buffer goes on its own.
                        filled.put(new Chunk(Arrays.copyOf(encoder.buffer(), n), n, count));
                        continue;
                    }
                }
                System.arraycopy(encoder.buffer(), 0, out, used, n);
                used += n;
            }
            if (used + PgBinaryEncoder.COPY_TRAILER.length > out.length) {
                filled.put(new Chunk(out, used, count));
                out = free.take();
                used = 0;
            }
            System.arraycopy(PgBinaryEncoder.COPY_TRAILER, 0, out, used, PgBinaryEncoder.COPY_TRAILER.length);
            used += PgBinaryEncoder.COPY_TRAILER.length;
            rows = count;
            digest = proof.finish();
            filled.put(new Chunk(out, used, count));
            filled.put(END);
        } catch (InterruptedException e) {
            // The consumer stopped early and is waiting in close(); nobody reads what would come next.
        } catch (RuntimeException | Error e) {
            failure = e;
            // Room is guaranteed only by a consumer that keeps reading; one that stopped has
            // interrupted this thread, and then nothing is waiting for the marker.
            try {
                filled.put(FAILED);
            } catch (InterruptedException stopped) {
                // As above.
            }
        }
    }
}
