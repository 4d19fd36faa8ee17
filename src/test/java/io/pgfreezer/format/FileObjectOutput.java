package io.pgfreezer.format;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectOutput;

/** A local file behind the storage sink contract, recording what its user did with it. */
final class FileObjectOutput extends ObjectOutput {

    private final Path path;
    private final OutputStream out;
    private long position;
    private boolean committed;
    private boolean aborted;
    private boolean closed;

    FileObjectOutput(Path path) throws IOException {
        this.path = path;
        this.out = Files.newOutputStream(path);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        position++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public ObjectInfo commit() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        committed = true;
        return new ObjectInfo(path.getFileName().toString(), position, Instant.now());
    }

    @Override
    public void abort() {
        aborted = true;
        try {
            out.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (!committed) {
            abort();
        }
    }

    boolean committed() {
        return committed;
    }

    boolean aborted() {
        return aborted;
    }

    boolean closed() {
        return closed;
    }
}
