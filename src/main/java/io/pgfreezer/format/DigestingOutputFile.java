package io.pgfreezer.format;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

import io.pgfreezer.storage.ObjectOutput;

/**
 * Parquet's view of an {@link ObjectOutput}: a positioned stream that also hashes every byte it
 * passes on, so the checksum describes exactly the object storage received.
 *
 * <p>Closing the stream (Parquet does so after the footer) only flushes: closing an
 * {@code ObjectOutput} without a commit aborts it, and commit belongs to the caller.
 */
final class DigestingOutputFile implements OutputFile {

    /** Parquet writes page headers a few bytes at a time; storage should not see such writes. */
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ObjectOutput sink;
    private Stream stream;

    DigestingOutputFile(ObjectOutput sink) {
        this.sink = sink;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        if (stream != null) {
            throw new IllegalStateException("a Parquet file is written to its sink once");
        }
        stream = new Stream(sink);
        return stream;
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    /** Bytes passed on so far. */
    long bytes() {
        return stream == null ? 0 : stream.position;
    }

    /** Hex SHA-256 of every byte passed on; call once, after the last write. */
    String sha256Hex() {
        return HexFormat.of().formatHex(stream.digest.digest());
    }

    /** From now on bytes are dropped: the file is being abandoned and its sink will be aborted. */
    void discard() {
        if (stream != null) {
            stream.discarding = true;
        }
    }

    private static final class Stream extends PositionOutputStream {
        private final OutputStream out;
        private final MessageDigest digest;
        private long position;
        private boolean discarding;

        Stream(ObjectOutput sink) {
            this.out = new BufferedOutputStream(sink, BUFFER_BYTES);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime provides SHA-256", e);
            }
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void write(int b) throws IOException {
            if (discarding) {
                return;
            }
            out.write(b);
            digest.update((byte) b);
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (discarding) {
                return;
            }
            out.write(b, off, len);
            digest.update(b, off, len);
            position += len;
        }

        @Override
        public void flush() throws IOException {
            if (!discarding) {
                out.flush();
            }
        }

        /** Never closes the sink: that would abort it. */
        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
