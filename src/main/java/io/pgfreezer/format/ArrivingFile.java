package io.pgfreezer.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A local copy of a stored object that is still being downloaded, readable as Parquet before it
 * is complete: a read waits until the downloader has written past the bytes it asks for. The
 * footer, which Parquet keeps at the end, comes from the object's tail fetched on its own before
 * the download, so the row groups can be decoded in file order while later ones still arrive.
 * Whoever decodes through it must check afterwards that the tail matches the complete copy
 * ({@link #tailMatches()}): only then did the decoding see the object that was downloaded.
 *
 * <p>The downloader calls {@link #arrived} as it writes and {@link #ended} or {@link #failed}
 * once; readers on any thread wait on them.
 */
public final class ArrivingFile {
    private final Path path;
    private final long length;
    private final byte[] tail;
    private final long tailStart;
    private long arrived;
    private long end = -1;
    private IOException failure;

    /**
     * @param path   the local copy being written
     * @param length the object's size as listed
     * @param tail   the object's last {@code tail.length} bytes, read before the download
     */
    public ArrivingFile(Path path, long length, byte[] tail) {
        if (tail.length > length) {
            throw new IllegalArgumentException("tail of " + tail.length + " bytes for an object of " + length);
        }
        this.path = path;
        this.length = length;
        this.tail = tail.clone();
        this.tailStart = length - tail.length;
    }

    public Path path() {
        return path;
    }

    /** The copy now holds its first {@code bytes} bytes. */
    public synchronized void arrived(long bytes) {
        if (bytes > arrived) {
            arrived = bytes;
            notifyAll();
        }
    }

    /** The download is complete at {@code bytes} bytes; reads past them fail. */
    public synchronized void ended(long bytes) {
        arrived = Math.max(arrived, bytes);
        end = bytes;
        notifyAll();
    }

    /** The download failed: every waiting and later read fails with it. */
    public synchronized void failed(IOException cause) {
        failure = cause;
        notifyAll();
    }

    /** Whether the complete copy is as long as the object was listed and ends in the tail read first. */
    public boolean tailMatches() throws IOException {
        synchronized (this) {
            if (end != length) {
                return false;
            }
        }
        byte[] copied = new byte[tail.length];
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            readAt(channel, ByteBuffer.wrap(copied), tailStart);
        }
        return java.util.Arrays.equals(copied, tail);
    }

    /** Waits until bytes {@code [0, to)} are in the copy. */
    private synchronized void await(long to) throws IOException {
        while (arrived < to) {
            if (failure != null) {
                throw new IOException("the download of " + path.getFileName() + " failed: " + failure.getMessage(), failure);
            }
            if (end >= 0) {
                throw new EOFException("the object ended at " + end + " bytes, before byte " + to);
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + path.getFileName());
            }
        }
    }

    private static void readAt(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException("the copy ends at byte " + at);
            }
            at += n;
        }
    }

    /** Parquet's view of the copy; {@code name} is what its messages call it. */
    InputFile inputFile(String name) {
        return new InputFile() {
            @Override
            public long getLength() {
                return length;
            }

            @Override
            public SeekableInputStream newStream() throws IOException {
                return new Stream(FileChannel.open(path, StandardOpenOption.READ));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private final class Stream extends SeekableInputStream {
        private final FileChannel channel;
        private long position;

        Stream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void seek(long newPos) {
            position = newPos;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = available(len);
            if (n < 0) {
                return -1;
            }
            fill(ByteBuffer.wrap(b, off, n));
            return n;
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
            int n = available(buf.remaining());
            if (n < 0) {
                return -1;
            }
            ByteBuffer part = buf.slice();
            part.limit(n);
            fill(part);
            buf.position(buf.position() + n);
            return n;
        }

        @Override
        public void readFully(byte[] bytes) throws IOException {
            readFully(bytes, 0, bytes.length);
        }

        @Override
        public void readFully(byte[] bytes, int start, int len) throws IOException {
            readFully(ByteBuffer.wrap(bytes, start, len));
        }

        @Override
        public void readFully(ByteBuffer buf) throws IOException {
            if (buf.remaining() > length - position) {
                throw new EOFException("reading " + buf.remaining() + " bytes at " + position + " of " + length);
            }
            fill(buf);
        }

        private int available(int wanted) {
            if (position >= length) {
                return wanted == 0 ? 0 : -1;
            }
            return (int) Math.min(wanted, length - position);
        }

        /** Fills {@code buf} from the current position, out of the tail or once the copy holds the bytes. */
        private void fill(ByteBuffer buf) throws IOException {
            int n = buf.remaining();
            if (position >= tailStart) {
                buf.put(tail, (int) (position - tailStart), n);
            } else {
                await(position + n);
                readAt(channel, buf, position);
            }
            position += n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
