package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.storage.PreconditionFailedException;
import io.pgfreezer.storage.VersionedBytes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Manifests as objects under {@code _manifests/{table}/{batch_id}.json}, the original's layout.
 *
 * <p>Listing a table reads every manifest, one small GET each. The original did them one after
 * another, so {@code status} over a long-archived table took minutes; here they run on a bounded
 * pool so the wall time is dominated by the key listing, not by per-request latency.
 */
public final class StorageManifestStore implements ManifestStore {
    public static final String ROOT = "_manifests/";
    private static final String SUFFIX = ".json";
    private static final String CONTENT_TYPE = "application/json";
    /** Enough parallel GETs to hide latency to a remote bucket without flooding it. */
    public static final int DEFAULT_PARALLELISM = 32;

    private static final Comparator<BatchManifest> WINDOW_ORDER =
            Comparator.comparing(BatchManifest::windowStart)
                    .thenComparing(BatchManifest::isLate)
                    .thenComparing(BatchManifest::batchId);

    private final ObjectStorage storage;
    private final int parallelism;
    /** The version of each manifest as last read or written here, for conditional saves. */
    private final Map<String, String> versions = new ConcurrentHashMap<>();

    public StorageManifestStore(ObjectStorage storage) {
        this(storage, DEFAULT_PARALLELISM);
    }

    public StorageManifestStore(ObjectStorage storage, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.storage = storage;
        this.parallelism = parallelism;
    }

    public static String key(String table, String batchId) {
        return prefix(table) + batchId + SUFFIX;
    }

    private static String prefix(String table) {
        return ROOT + table + "/";
    }

    @Override
    public Optional<BatchManifest> load(String table, String batchId) {
        return read(key(table, batchId));
    }

    /**
     * Replaces the manifest only at the version this store last read or wrote, and creates one
     * only where none exists: a manifest changed behind our back (a stale PUT that landed late, a
     * second writer, an old copy put back) is never overwritten with a state built on what we
     * saw before. The conflict stops the batch; the next run reads the manifest afresh.
     */
    @Override
    public void save(BatchManifest manifest) {
        String key = key(manifest.table(), manifest.batchId());
        byte[] data = ManifestCodec.encode(manifest);
        String known = versions.get(key);
        Precondition condition = known == null ? Precondition.ABSENT : Precondition.matches(known);
        try {
            versions.put(key, storage.put(key, data, CONTENT_TYPE, condition));
        } catch (PreconditionFailedException e) {
            throw new ManifestConflictException("manifest " + storage.uri(key) + " changed in storage since this run "
                    + (known == null ? "listed the table (it was absent then)" : "read it")
                    + "; not overwriting it, the next run reads it again (" + e.getMessage() + ")", e);
        }
    }

    /** Sorted by window start; within a window its own batch first, then its late batches by id. */
    @Override
    public List<BatchManifest> list(String table) {
        String prefix = prefix(table);
        List<String> keys = new ArrayList<>();
        for (ObjectInfo info : storage.list(prefix)) {
            String rest = info.key().substring(prefix.length());
            if (rest.endsWith(SUFFIX) && rest.indexOf('/') < 0) {
                keys.add(info.key());
            }
        }
        List<BatchManifest> manifests = readAll(keys);
        manifests.sort(WINDOW_ORDER);
        return manifests;
    }

    @Override
    public List<String> tables() {
        TreeSet<String> tables = new TreeSet<>();
        for (ObjectInfo info : storage.list(ROOT)) {
            String rest = info.key().substring(ROOT.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.endsWith(SUFFIX) && rest.indexOf('/', slash + 1) < 0) {
                tables.add(rest.substring(0, slash));
            }
        }
        return List.copyOf(tables);
    }

    private Optional<BatchManifest> read(String key) {
        Optional<VersionedBytes> stored = storage.read(key);
        if (stored.isEmpty()) {
            versions.remove(key);
            return Optional.empty();
        }
        BatchManifest manifest = ManifestCodec.decode(stored.get().data(), storage.uri(key));
        versions.put(key, stored.get().version());
        return Optional.of(manifest);
    }

    /** A key the listing showed must be readable: a manifest that vanished is never "no manifest". */
    private BatchManifest readListed(String key) {
        return read(key).orElseThrow(() -> new ManifestException("manifest " + storage.uri(key)
                + " is listed but reading it found nothing (HTTP 404 or removed meanwhile); "
                + "refusing to go on without it, since its window could then look unarchived"));
    }

    private List<BatchManifest> readAll(List<String> keys) {
        if (keys.isEmpty()) {
            return new ArrayList<>();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, keys.size()), new ReaderThreads());
        try {
            List<Future<BatchManifest>> futures = new ArrayList<>(keys.size());
            for (String key : keys) {
                futures.add(pool.submit(() -> readListed(key)));
            }
            List<BatchManifest> manifests = new ArrayList<>(keys.size());
            for (Future<BatchManifest> future : futures) {
                manifests.add(awaitResult(future));
            }
            return manifests;
        } finally {
            // On the first failure the remaining reads are pointless: stop them.
            pool.shutdownNow();
        }
    }

    private static <T> T awaitResult(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManifestException("interrupted while reading manifests", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ManifestException("reading a manifest failed: " + cause, cause);
        }
    }

    /** Daemon threads, so a stuck read can never keep the process alive after the command ends. */
    private static final class ReaderThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread t = new Thread(task, "manifest-reader-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
