package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.storage.PreconditionFailedException;
import io.pgfreezer.storage.VersionedBytes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Manifests as objects under {@code _manifests/{table}/{batch_id}.json}, the original's layout.
 *
 * <p>Listing a table takes one key listing (one request up to 1,000 manifests, parts listed at
 * once beyond that: {@link ManifestListing}) and, where a {@link ManifestIndex} is
 * present, reads only the manifests whose listed version differs from the index's entry: what
 * changed since the index was written. Without an index (a bucket the original filled, or one
 * never indexed) every manifest is read, one small GET each, on a bounded pool so the wall time
 * is dominated by the listing, not by per-request latency.
 *
 * <p>Only DONE manifests are ever taken from the index when listing. DONE is terminal, so the
 * run never saves one; every other state may be resumed and saved, and a save is conditional on
 * the version last read, so those are read for real each time (there are few of them).
 */
public final class StorageManifestStore implements ManifestStore {
    private static final Logger log = LoggerFactory.getLogger(StorageManifestStore.class);

    public static final String ROOT = "_manifests/";
    private static final String SUFFIX = ".json";
    private static final int BATCH_ID_LENGTH = 16;
    private static final String CONTENT_TYPE = "application/json";
    /** Enough parallel GETs to hide latency to a remote bucket without flooding it. */
    public static final int DEFAULT_PARALLELISM = 32;
    /** Environment variable that sets how many manifest reads are in flight at once. */
    public static final String PARALLELISM_VARIABLE = "PG_FREEZER_MANIFEST_READS";
    /** The most manifest reads in flight at once; the S3 client's connection pool is sized above it. */
    public static final int MAX_PARALLELISM = 1024;
    /** S3's largest listing page: a table of at most this many manifests is listed in one request. */
    static final int LIST_PAGE_SIZE = 1000;

    private static final Comparator<BatchManifest> WINDOW_ORDER =
            Comparator.comparing(BatchManifest::windowStart)
                    .thenComparing(BatchManifest::isLate)
                    .thenComparing(BatchManifest::batchId);

    private final ObjectStorage storage;
    private final int parallelism;
    private final int listPageSize;
    private final Clock clock;
    /** The version of each manifest as last read or written here, for conditional saves. */
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    /**
     * Content and version of each manifest as last read, written or taken from the index here, so
     * that refreshing the index after a run reads nothing the run already knows. Never consulted
     * by {@link #save}: only {@link #versions} vouches for a conditional write.
     */
    private final Map<String, ManifestIndex.Entry> known = new ConcurrentHashMap<>();
    /**
     * Tables whose stored index matched their listing exactly when this store last listed them,
     * with no save here since, by manifest count: a run that changed nothing has nothing to
     * refresh, and skips the second listing. Other writers refresh the index themselves.
     */
    private final Map<String, Integer> indexCurrent = new ConcurrentHashMap<>();

    public StorageManifestStore(ObjectStorage storage) {
        this(storage, DEFAULT_PARALLELISM);
    }

    public StorageManifestStore(ObjectStorage storage, int parallelism) {
        this(storage, parallelism, Clock.systemUTC());
    }

    StorageManifestStore(ObjectStorage storage, int parallelism, Clock clock) {
        this(storage, parallelism, clock, LIST_PAGE_SIZE);
    }

    /** @param listPageSize keys per listing request; tests make it small to list in parts with few manifests */
    StorageManifestStore(ObjectStorage storage, int parallelism, Clock clock, int listPageSize) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        if (listPageSize < 1) {
            throw new IllegalArgumentException("listPageSize must be at least 1");
        }
        this.storage = storage;
        this.parallelism = parallelism;
        this.clock = clock;
        this.listPageSize = listPageSize;
    }

    /** A store whose read concurrency comes from {@value #PARALLELISM_VARIABLE} when set. */
    public static StorageManifestStore open(ObjectStorage storage, Map<String, String> environment) {
        return new StorageManifestStore(storage, parallelism(environment));
    }

    static int parallelism(Map<String, String> environment) {
        String text = environment.get(PARALLELISM_VARIABLE);
        if (text == null || text.isBlank()) {
            return DEFAULT_PARALLELISM;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= 1 && value <= MAX_PARALLELISM) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with the accepted range
        }
        throw new io.pgfreezer.config.ConfigException(PARALLELISM_VARIABLE + " is '" + text
                + "'; it must be a whole number from 1 to " + MAX_PARALLELISM + " (default " + DEFAULT_PARALLELISM + ")");
    }

    /**
     * Whether a name under a table's manifest prefix is a manifest's: a batch id (16 lowercase hex
     * digits, as both this tool and the original make them) and {@code .json}. Anything else there
     * (notes, a copy kept by hand, a sub-folder) is no window's manifest, is never read as one, and
     * so can neither fail a listing nor stand in for the manifest its window really has.
     */
    static boolean isManifestName(String name) {
        if (name.length() != BATCH_ID_LENGTH + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return false;
        }
        for (int i = 0; i < BATCH_ID_LENGTH; i++) {
            if (ManifestListing.DIGITS.indexOf(name.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    public static String key(String table, String batchId) {
        return prefix(table) + batchId + SUFFIX;
    }

    /**
     * Where the table's {@link ManifestIndex} lives: outside {@code _manifests/}, so the table's
     * manifest directory holds exactly what the original would find there, and no reader that
     * takes every object under it for a manifest can trip over the index.
     */
    public static String indexKey(String table) {
        return ManifestIndex.ROOT + table + ManifestIndex.SUFFIX;
    }

    static String prefix(String table) {
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
        indexCurrent.remove(manifest.table());
        String known = versions.get(key);
        Precondition condition = known == null ? Precondition.ABSENT : Precondition.matches(known);
        try {
            String version = storage.put(key, data, CONTENT_TYPE, condition);
            versions.put(key, version);
            this.known.put(key, new ManifestIndex.Entry(version, manifest));
        } catch (PreconditionFailedException e) {
            this.known.remove(key);
            throw new ManifestConflictException("manifest " + storage.uri(key) + " changed in storage since this run "
                    + (known == null ? "listed the table (it was absent then)" : "read it")
                    + "; not overwriting it, the next run reads it again (" + e.getMessage() + ")", e);
        }
    }

    /** Sorted by window start; within a window its own batch first, then its late batches by id. */
    @Override
    public List<BatchManifest> list(String table) {
        List<BatchManifest> manifests = new ArrayList<>(gather(table, true, false).manifests());
        manifests.sort(WINDOW_ORDER);
        return manifests;
    }

    /**
     * What the last index refresh or rebuild found: how many manifests the index holds now, how
     * many had to be read, and whether a new index object was written.
     */
    public record IndexUpdate(String table, int manifests, int read, boolean written) {
    }

    /**
     * Brings the table's index up to date with its manifests: reads only what neither the index
     * nor this store already knows, and writes the index (one atomic PUT) only when it changed.
     * Two processes doing this at once each write a complete index of what they saw; whichever
     * lands last is valid, at worst behind by the other's changes, which the next listing reads.
     */
    public IndexUpdate refreshIndex(String table) {
        Integer unchanged = indexCurrent.get(table);
        if (unchanged != null) {
            return new IndexUpdate(table, unchanged, 0, false);
        }
        return writeIndex(table, gather(table, true, true));
    }

    /** Ignores any index and everything cached, reads every manifest, and writes the index anew. */
    public IndexUpdate rebuildIndex(String table) {
        Gathered all = gather(table, false, true);
        return writeIndex(table, new Gathered(all.entries(), all.read(), null, all.indexListed()));
    }

    private IndexUpdate writeIndex(String table, Gathered gathered) {
        String key = indexKey(table);
        Map<String, ManifestIndex.Entry> entries = gathered.entries();
        if (entries.isEmpty()) {
            if (gathered.indexListed()) {
                storage.delete(key);
                return new IndexUpdate(table, 0, gathered.read(), true);
            }
            return new IndexUpdate(table, 0, gathered.read(), false);
        }
        if (gathered.index() != null && sameVersions(gathered.index(), entries)) {
            return new IndexUpdate(table, entries.size(), gathered.read(), false);
        }
        byte[] data = ManifestIndex.encode(table, entries, clock.instant());
        storage.put(key, data, ManifestIndex.CONTENT_TYPE, Precondition.NONE);
        return new IndexUpdate(table, entries.size(), gathered.read(), true);
    }

    private static boolean sameVersions(Map<String, ManifestIndex.Entry> a, Map<String, ManifestIndex.Entry> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, ManifestIndex.Entry> e : a.entrySet()) {
            ManifestIndex.Entry other = b.get(e.getKey());
            if (other == null || !other.version().equals(e.getValue().version())) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param entries every listed manifest by key, in listing order
     * @param read    how many of them were read from storage
     * @param index   the stored index that was usable, or null
     * @param indexListed whether the listing showed an index object, usable or not
     */
    private record Gathered(Map<String, ManifestIndex.Entry> entries, int read,
                            Map<String, ManifestIndex.Entry> index, boolean indexListed) {
        List<BatchManifest> manifests() {
            return entries.values().stream().map(ManifestIndex.Entry::manifest).toList();
        }
    }

    /**
     * Every manifest the listing shows, each taken from what is already known where that is
     * exactly the listed version, and read otherwise.
     *
     * @param useKnown  consult the stored index and this store's cache at all
     * @param anyStatus build an index: take manifests of any state from the index, and take what
     *                  this store read or wrote itself. A caller that may save what it gets (the
     *                  run) is given index entries for DONE manifests only, and reads the rest.
     */
    private Gathered gather(String table, boolean useKnown, boolean anyStatus) {
        String prefix = prefix(table);
        // The index is fetched while the manifests are listed: neither needs the other, and on a
        // large table each is a good part of the time a listing takes.
        FutureTask<StoredIndex> fetch = new FutureTask<>(() -> fetchIndex(table, useKnown));
        new ReaderThreads().newThread(fetch).start();
        List<ObjectInfo> listed = new ArrayList<>();
        try {
            for (ObjectInfo info : ManifestListing.list(storage, prefix, listPageSize, parallelism, new ReaderThreads())) {
                if (isManifestName(info.key().substring(prefix.length()))) {
                    listed.add(info);
                }
            }
        } catch (RuntimeException | Error e) {
            fetch.cancel(true);
            throw e;
        }
        StoredIndex stored = awaitResult(fetch);
        boolean indexListed = stored.listed();
        Map<String, ManifestIndex.Entry> index = listed.isEmpty() ? null : stored.entries();
        Map<String, ManifestIndex.Entry> entries = new LinkedHashMap<>();
        List<String> toRead = new ArrayList<>();
        for (ObjectInfo info : listed) {
            String key = info.key();
            ManifestIndex.Entry found = null;
            if (useKnown && info.version() != null) {
                ManifestIndex.Entry cached = anyStatus ? known.get(key) : null;
                if (cached != null && cached.version().equals(info.version())) {
                    found = cached;
                } else if (index != null) {
                    ManifestIndex.Entry indexed = index.get(key);
                    if (indexed != null && indexed.version().equals(info.version()) && (anyStatus || isDone(indexed))) {
                        found = indexed;
                        known.put(key, indexed);
                    }
                }
            }
            entries.put(key, found);
            if (found == null) {
                toRead.add(key);
            }
        }
        List<ManifestIndex.Entry> read = readAll(toRead);
        for (int i = 0; i < toRead.size(); i++) {
            entries.put(toRead.get(i), read.get(i));
        }
        if (useKnown && index != null && sameVersions(index, entries)) {
            indexCurrent.put(table, entries.size());
        } else {
            indexCurrent.remove(table);
        }
        return new Gathered(entries, toRead.size(), index, indexListed);
    }

    private static boolean isDone(ManifestIndex.Entry e) {
        return e.manifest().status() == BatchStatus.DONE;
    }

    /** @param entries the usable index, or null */
    private record StoredIndex(boolean listed, Map<String, ManifestIndex.Entry> entries) {
    }

    private StoredIndex fetchIndex(String table, boolean useKnown) {
        String indexKey = indexKey(table);
        boolean listed = false;
        // A listing, not a GET, finds out whether there is an index: no read for one that is absent.
        for (ObjectInfo info : storage.list(indexKey)) {
            listed |= info.key().equals(indexKey);
        }
        return new StoredIndex(listed, useKnown && listed ? readIndex(table) : null);
    }

    /** The stored index, or null when there is none or it cannot be trusted. */
    private Map<String, ManifestIndex.Entry> readIndex(String table) {
        String key = indexKey(table);
        Optional<VersionedBytes> stored;
        try {
            stored = storage.read(key);
        } catch (RuntimeException e) {
            log.warn("cannot read the manifest index {}, reading the manifests instead: {}", storage.uri(key),
                    e.getMessage());
            return null;
        }
        if (stored.isEmpty()) {
            return null;
        }
        try {
            return ManifestIndex.decode(stored.get().data(), table, storage.uri(key));
        } catch (ManifestIndex.Unusable e) {
            log.warn("ignoring the manifest index, reading the manifests instead ({} rewrites it): {}",
                    "status --rebuild-index or the next run", e.getMessage());
            return null;
        }
    }

    @Override
    public List<String> tables() {
        TreeSet<String> tables = new TreeSet<>();
        for (ObjectInfo info : storage.list(ROOT)) {
            String rest = info.key().substring(ROOT.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && isManifestName(rest.substring(slash + 1))) {
                tables.add(rest.substring(0, slash));
            }
        }
        return List.copyOf(tables);
    }

    private Optional<BatchManifest> read(String key) {
        return readEntry(key).map(ManifestIndex.Entry::manifest);
    }

    private Optional<ManifestIndex.Entry> readEntry(String key) {
        Optional<VersionedBytes> stored = storage.read(key);
        if (stored.isEmpty()) {
            versions.remove(key);
            this.known.remove(key);
            return Optional.empty();
        }
        BatchManifest manifest = ManifestCodec.decode(stored.get().data(), storage.uri(key));
        ManifestIndex.Entry entry = new ManifestIndex.Entry(stored.get().version(), manifest);
        versions.put(key, entry.version());
        known.put(key, entry);
        return Optional.of(entry);
    }

    /** A key the listing showed must be readable: a manifest that vanished is never "no manifest". */
    private ManifestIndex.Entry readListed(String key) {
        return readEntry(key).orElseThrow(() -> new ManifestException("manifest " + storage.uri(key)
                + " is listed but reading it found nothing (HTTP 404 or removed meanwhile); "
                + "refusing to go on without it, since its window could then look unarchived"));
    }

    private List<ManifestIndex.Entry> readAll(List<String> keys) {
        if (keys.isEmpty()) {
            return new ArrayList<>();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, keys.size()), new ReaderThreads());
        try {
            List<Future<ManifestIndex.Entry>> futures = new ArrayList<>(keys.size());
            for (String key : keys) {
                futures.add(pool.submit(() -> readListed(key)));
            }
            List<ManifestIndex.Entry> manifests = new ArrayList<>(keys.size());
            for (Future<ManifestIndex.Entry> future : futures) {
                manifests.add(awaitResult(future));
            }
            return manifests;
        } finally {
            // On the first failure the remaining reads are pointless: stop them.
            pool.shutdownNow();
        }
    }

    static <T> T awaitResult(Future<T> future) {
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
