package io.pgfreezer.testing;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectNotFoundException;
import io.pgfreezer.storage.ObjectOutput;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.storage.PreconditionFailedException;
import io.pgfreezer.storage.VersionedBytes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Object storage held in a map, for unit tests of code written against {@link ObjectStorage}.
 * A per-{@code get} latency can be set to imitate a remote bucket, and the storage records how
 * many gets ran at the same time, so a test can prove reads are concurrent without timing them.
 */
public final class InMemoryObjectStorage implements ObjectStorage {
    private record Stored(byte[] data, Instant lastModified, String version) {
    }

    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final AtomicInteger getsInFlight = new AtomicInteger();
    private final AtomicInteger maxGetsInFlight = new AtomicInteger();
    private final AtomicInteger getCount = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong versions = new java.util.concurrent.atomic.AtomicLong();
    private volatile Duration getLatency = Duration.ZERO;
    private volatile boolean closed;

    public InMemoryObjectStorage withGetLatency(Duration latency) {
        this.getLatency = latency;
        return this;
    }

    /** The largest number of {@link #get} calls that were running at one moment. */
    public int maxConcurrentGets() {
        return maxGetsInFlight.get();
    }

    public int getCount() {
        return getCount.get();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Usable again after {@link #close()}, with the same objects: a second open of the same bucket. */
    public InMemoryObjectStorage reopen() {
        closed = false;
        return this;
    }

    /** Every key, in order. */
    public List<String> keys() {
        return new ArrayList<>(objects.keySet());
    }

    @Override
    public ObjectOutput create(String key, Precondition condition) {
        checkOpen();
        return new ObjectOutput() {
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            private boolean done;

            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
            }

            @Override
            public long position() {
                return buffer.size();
            }

            @Override
            public ObjectInfo commit() {
                done = true;
                put(key, buffer.toByteArray(), "application/octet-stream", condition);
                return stat(key).orElseThrow();
            }

            @Override
            public void abort() {
                done = true;
            }

            @Override
            public void close() {
                if (!done) {
                    abort();
                }
            }
        };
    }

    @Override
    public synchronized String put(String key, byte[] data, String contentType, Precondition condition) {
        checkOpen();
        Stored current = objects.get(key);
        if (!condition.admits(current == null ? null : current.version())) {
            throw new PreconditionFailedException("refusing to write " + uri(key) + " " + condition);
        }
        Stored stored = new Stored(data.clone(), Instant.now(), Long.toHexString(versions.incrementAndGet()));
        objects.put(key, stored);
        return stored.version();
    }

    @Override
    public Optional<VersionedBytes> read(String key) {
        Optional<byte[]> data = get(key);
        Stored s = objects.get(key);
        return data.map(d -> new VersionedBytes(d, s == null ? "gone" : s.version()));
    }

    @Override
    public Optional<byte[]> get(String key) {
        checkOpen();
        getCount.incrementAndGet();
        int inFlight = getsInFlight.incrementAndGet();
        maxGetsInFlight.accumulateAndGet(inFlight, Math::max);
        try {
            pause();
            Stored s = objects.get(key);
            return s == null ? Optional.empty() : Optional.of(s.data().clone());
        } finally {
            getsInFlight.decrementAndGet();
        }
    }

    @Override
    public InputStream open(String key) {
        return new ByteArrayInputStream(get(key).orElseThrow(() -> new ObjectNotFoundException(uri(key))));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        checkOpen();
        Stored s = objects.get(key);
        return s == null ? Optional.empty() : Optional.of(new ObjectInfo(key, s.data().length, s.lastModified(), s.version()));
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        checkOpen();
        List<ObjectInfo> infos = new ArrayList<>();
        for (Map.Entry<String, Stored> e : objects.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            // Versions in the listing, as S3 (ETag) and the local backend give them.
            infos.add(new ObjectInfo(e.getKey(), e.getValue().data().length, e.getValue().lastModified(),
                    e.getValue().version()));
        }
        return infos;
    }

    @Override
    public int discardUnfinished(String key) {
        // Writes are only ever in memory here: nothing survives an interrupted one.
        return 0;
    }

    @Override
    public void delete(String key) {
        checkOpen();
        objects.remove(key);
    }

    @Override
    public String uri(String key) {
        return "mem://test/" + key;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("storage is closed");
        }
    }

    private void pause() {
        if (getLatency.isZero()) {
            return;
        }
        try {
            Thread.sleep(getLatency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
