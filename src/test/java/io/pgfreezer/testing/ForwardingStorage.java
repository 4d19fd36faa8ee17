package io.pgfreezer.testing;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectOutput;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.storage.VersionedBytes;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** Passes everything to a real backend; tests override one step to inject a fault around it. */
public class ForwardingStorage implements ObjectStorage {
    protected final ObjectStorage delegate;

    public ForwardingStorage(ObjectStorage delegate) {
        this.delegate = delegate;
    }

    /** Called after an object is committed, with the key; the default does nothing. */
    protected void afterCommit(String key) {
    }

    @Override
    public ObjectOutput create(String key, Precondition condition) {
        ObjectOutput out = delegate.create(key, condition);
        return new ObjectOutput() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public long position() {
                return out.position();
            }

            @Override
            public ObjectInfo commit() {
                ObjectInfo info = out.commit();
                afterCommit(key);
                return info;
            }

            @Override
            public void abort() {
                out.abort();
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    @Override
    public String put(String key, byte[] data, String contentType, Precondition condition) {
        return delegate.put(key, data, contentType, condition);
    }

    @Override
    public Optional<VersionedBytes> read(String key) {
        return delegate.read(key);
    }

    @Override
    public InputStream open(String key) {
        return delegate.open(key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) {
        return delegate.openRange(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public int discardUnfinished(String key) {
        return delegate.discardUnfinished(key);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public String uri(String key) {
        return delegate.uri(key);
    }

    @Override
    public void close() {
        // The fixture closes the real backend.
    }
}
