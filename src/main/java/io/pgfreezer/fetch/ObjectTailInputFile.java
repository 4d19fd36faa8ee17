package io.pgfreezer.fetch;

import io.pgfreezer.storage.ObjectStorage;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A stored object as a Parquet {@link InputFile} that fetches bytes with ranged reads, from the end
 * backwards: the first read takes the object's last {@link #TAIL_BYTES} (where the footer is in all
 * but the largest files), and a read further back extends that tail. It is meant for reading the
 * footer only; reading row groups through it would keep them all in memory.
 */
final class ObjectTailInputFile implements InputFile {

    /** One request covers the 8-byte trailer and a footer of this size. */
    static final int TAIL_BYTES = 64 * 1024;

    /** A footer larger than this is not one pg-freezer wrote, and is not worth holding in memory. */
    static final int MAX_TAIL_BYTES = 64 * 1024 * 1024;

    private final ObjectStorage storage;
    private final String key;
    private final long length;

    ObjectTailInputFile(ObjectStorage storage, String key, long length) {
        this.storage = storage;
        this.key = key;
        this.length = length;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public SeekableInputStream newStream() {
        return new TailStream();
    }

    @Override
    public String toString() {
        return storage.uri(key);
    }

    private final class TailStream extends SeekableInputStream {
        private byte[] tail = new byte[0];
        private long tailStart = length;
        private long position;

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void seek(long newPosition) throws IOException {
            if (newPosition < 0 || newPosition > length) {
                throw new EOFException("seek to " + newPosition + " outside " + storage.uri(key) + " of " + length + " bytes");
            }
            position = newPosition;
        }

        @Override
        public int read() throws IOException {
            if (position >= length) {
                return -1;
            }
            cover(position);
            return tail[(int) (position++ - tailStart)] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            if (count == 0) {
                return 0;
            }
            if (position >= length) {
                return -1;
            }
            cover(position);
            int n = (int) Math.min(count, length - position);
            System.arraycopy(tail, (int) (position - tailStart), buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public void readFully(byte[] buffer) throws IOException {
            readFully(buffer, 0, buffer.length);
        }

        @Override
        public void readFully(byte[] buffer, int offset, int count) throws IOException {
            if (position + count > length) {
                throw new EOFException("reached the end of " + storage.uri(key) + " (" + length + " bytes)");
            }
            int done = 0;
            while (done < count) {
                done += read(buffer, offset + done, count - done);
            }
        }

        @Override
        public int read(ByteBuffer buffer) throws IOException {
            if (!buffer.hasRemaining()) {
                return 0;
            }
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(buffer.remaining(), length - position);
            byte[] bytes = new byte[n];
            readFully(bytes);
            buffer.put(bytes);
            return n;
        }

        @Override
        public void readFully(ByteBuffer buffer) throws IOException {
            if (position + buffer.remaining() > length) {
                throw new EOFException("reached the end of " + storage.uri(key) + " (" + length + " bytes)");
            }
            read(buffer);
        }

        /** Makes the tail start at or before {@code at}, fetching what is missing in one request. */
        private void cover(long at) throws IOException {
            if (at >= tailStart) {
                return;
            }
            long newStart = Math.max(0, Math.min(at, tailStart - TAIL_BYTES));
            if (length - newStart > MAX_TAIL_BYTES) {
                throw new IOException("the footer of " + storage.uri(key) + " is larger than "
                        + MAX_TAIL_BYTES / (1024 * 1024) + " MB");
            }
            int missing = (int) (tailStart - newStart);
            byte[] grown = new byte[(int) (length - newStart)];
            try (InputStream in = storage.openRange(key, newStart, missing)) {
                int read = in.readNBytes(grown, 0, missing);
                if (read != missing) {
                    throw new EOFException(storage.uri(key) + " is shorter than its listed size of " + length
                            + " bytes: it may have been replaced while fetching");
                }
            }
            System.arraycopy(tail, 0, grown, missing, tail.length);
            tail = grown;
            tailStart = newStart;
        }
    }
}
