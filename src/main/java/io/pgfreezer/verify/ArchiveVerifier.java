package io.pgfreezer.verify;

import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.ArchiveLayout;
import io.pgfreezer.fetch.HivePartition;
import io.pgfreezer.format.ArrivingFile;
import io.pgfreezer.format.FormatException;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.format.VerifiedFile;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectNotFoundException;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.StorageException;
import io.pgfreezer.verify.ObjectCheck.Kind;
import io.pgfreezer.verify.ObjectCheck.Result;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Re-proves archived windows from storage alone, long after they were archived: every object a
 * DONE manifest points at is there, with the size and SHA-256 the manifest recorded and, when
 * asked for a deep check, every value decodes to the recorded row count. Objects under a table's
 * data prefix that no manifest points at are reported as orphans, and earlier attempts kept under
 * {@code _superseded/} are listed apart, since they are kept on purpose.
 * <p>
 * Needs no database. Objects are read by at most {@code parallelism} threads at a time, each
 * streaming one object (to a temporary file only for a deep check), so memory and temporary
 * disk stay bounded whatever the archive holds.
 */
public final class ArchiveVerifier {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ArchiveVerifier.class);
    private static final String FOOTER_BATCH_ID = "pg_freezer.batch_id";
    private static final int BUFFER = 64 * 1024;
    /**
     * From this size on, a deep check decodes an object while it downloads: its footer comes from
     * one ranged read of its tail first. Below it the extra request would cost more than it saves.
     */
    static final long OVERLAP_FROM = 8L * 1024 * 1024;
    /** The tail read first: the footer and its length, with room for wide tables' footers. */
    private static final int TAIL = 256 * 1024;

    /** Called from the reader threads: implementations must be thread-safe. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** Before any object is read: how many will be. */
        default void planned(int objects, long bytes) {
        }

        /** Bytes of some object just read. */
        default void bytesRead(long bytes) {
        }

        default void checked(ObjectCheck check) {
        }
    }

    /**
     * @param from        window starts on or after this instant; null for no lower bound
     * @param to          window starts before this instant; null for no upper bound
     * @param deep        also decode every value and count the rows
     * @param parallelism objects read at the same time, at least 1
     */
    public record Options(Instant from, Instant to, boolean deep, int parallelism) {
        public Options {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1");
            }
        }

        boolean ranged() {
            return from != null || to != null;
        }

        boolean accepts(Instant windowStart) {
            return (from == null || !windowStart.isBefore(from)) && (to == null || windowStart.isBefore(to));
        }
    }

    /**
     * @param checks       per table in the order given, each table's objects by window, then
     *                     its orphans and its superseded copies by key
     * @param emptyWindows DONE windows that held no rows, so have no object to check
     */
    public record Report(List<ObjectCheck> checks, int emptyWindows, boolean deep) {
        public Report {
            checks = List.copyOf(checks);
        }

        public long count(Result result) {
            return checks.stream().filter(c -> c.result() == result).count();
        }

        /** Nothing an archived window depends on is missing or damaged. */
        public boolean intact() {
            return checks.stream().noneMatch(c -> c.result().isDamage());
        }
    }

    private final ObjectStorage storage;
    private final ManifestStore manifests;
    private final Path tempDir;
    private final long overlapFrom;

    public ArchiveVerifier(ObjectStorage storage, ManifestStore manifests, Path tempDir) {
        this(storage, manifests, tempDir, OVERLAP_FROM);
    }

    /** With the size from which a deep check decodes while it downloads. */
    ArchiveVerifier(ObjectStorage storage, ManifestStore manifests, Path tempDir, long overlapFrom) {
        this.overlapFrom = overlapFrom;
        this.storage = storage;
        this.manifests = manifests;
        this.tempDir = tempDir;
    }

    public Report verify(List<TableConfig> tables, Options options, Listener listener) {
        List<Planned> planned = new ArrayList<>();
        int empty = 0;
        for (TableConfig table : tables) {
            empty += plan(table, options, planned);
        }
        listener.planned((int) planned.stream().filter(p -> p.manifest != null).count(),
                planned.stream().filter(p -> p.manifest != null && p.info != null).mapToLong(p -> p.info.size()).sum());
        return new Report(run(planned, options, listener), empty, options.deep());
    }

    /**
     * One line of the report still to be produced: an object to read ({@code manifest} set, and
     * {@code info} what the listing showed, null when it did not show the key), or a finding the
     * listing alone settled ({@code settled}).
     */
    private record Planned(String table, BatchManifest manifest, ObjectInfo info, ObjectCheck settled) {
    }

    private int plan(TableConfig table, Options options, List<Planned> out) {
        List<BatchManifest> all = manifests.list(table.name());
        Set<String> referenced = new HashSet<>();
        Map<String, BatchManifest> byBatch = new HashMap<>();
        for (BatchManifest m : all) {
            if (m.parquetPath() != null) {
                referenced.add(m.parquetPath());
            }
            byBatch.put(m.batchId(), m);
        }
        String dataPrefix = table.name() + "/";
        Map<String, ObjectInfo> listed = new HashMap<>();
        List<ObjectInfo> orphans = new ArrayList<>();
        for (ObjectInfo info : storage.list(dataPrefix)) {
            listed.put(info.key(), info);
            if (!referenced.contains(info.key()) && orphanInRange(info.key().substring(dataPrefix.length()), options)) {
                orphans.add(info);
            }
        }

        int empty = 0;
        for (BatchManifest m : all) {
            if (m.status() != BatchStatus.DONE || !options.accepts(m.windowStart())) {
                continue;
            }
            if (m.parquetPath() != null) {
                out.add(new Planned(table.name(), m, listed.get(m.parquetPath()), null));
            } else if (m.rowCount() != null && m.rowCount() > 0) {
                out.add(new Planned(table.name(), null, null, new ObjectCheck(table.name(), "-", kindOf(m),
                        Result.MISSING, m, null, null, null,
                        "the manifest records " + m.rowCount() + " row(s) but names no object")));
            } else {
                empty++;
            }
        }
        for (ObjectInfo info : orphans) {
            out.add(new Planned(table.name(), null, null, new ObjectCheck(table.name(), info.key(), Kind.ORPHAN,
                    Result.ORPHAN, null, info.size(), null, null, "no manifest references it")));
        }
        String supersededPrefix = ArchiveLayout.SUPERSEDED_ROOT + table.name() + "/";
        for (ObjectInfo info : storage.list(supersededPrefix)) {
            String rest = info.key().substring(supersededPrefix.length());
            int slash = rest.indexOf('/');
            BatchManifest of = slash > 0 ? byBatch.get(rest.substring(0, slash)) : null;
            if (options.ranged() && (of == null || !options.accepts(of.windowStart()))) {
                continue;
            }
            String batch = slash > 0 ? rest.substring(0, slash) : "?";
            out.add(new Planned(table.name(), null, null, new ObjectCheck(table.name(), info.key(), Kind.SUPERSEDED,
                    Result.SUPERSEDED, of, info.size(), null, null,
                    "earlier attempt of batch " + batch + ", kept on purpose")));
        }
        return empty;
    }

    /**
     * Without a range every orphan counts. With one, only those in a partition directory whose
     * start lies in it: a file elsewhere cannot be placed in time, and belongs to a run without
     * a range.
     */
    private static boolean orphanInRange(String relativeKey, Options options) {
        if (!options.ranged()) {
            return true;
        }
        int slash = relativeKey.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        Optional<HivePartition> partition = HivePartition.parse(relativeKey.substring(0, slash));
        return partition.isPresent() && options.accepts(partition.get().start());
    }

    private List<ObjectCheck> run(List<Planned> planned, Options options, Listener listener) {
        int toRead = (int) planned.stream().filter(p -> p.manifest != null).count();
        ExecutorService pool = toRead == 0 ? null
                : Executors.newFixedThreadPool(Math.min(options.parallelism(), toRead), new ReaderThreads());
        try {
            List<Future<ObjectCheck>> futures = new ArrayList<>(planned.size());
            for (Planned p : planned) {
                if (p.manifest == null) {
                    futures.add(null);
                } else {
                    futures.add(pool.submit(() -> {
                        ObjectCheck check = check(p.table, p.manifest, p.info, options.deep(), listener);
                        listener.checked(check);
                        return check;
                    }));
                }
            }
            List<ObjectCheck> checks = new ArrayList<>(planned.size());
            for (int i = 0; i < planned.size(); i++) {
                Future<ObjectCheck> future = futures.get(i);
                if (future == null) {
                    listener.checked(planned.get(i).settled);
                    checks.add(planned.get(i).settled);
                } else {
                    checks.add(await(future));
                }
            }
            return checks;
        } finally {
            if (pool != null) {
                // After a failure the remaining reads would only be thrown away.
                pool.shutdownNow();
            }
        }
    }

    private ObjectCheck check(String table, BatchManifest m, ObjectInfo listed, boolean deep, Listener listener) {
        String key = m.parquetPath();
        String uri = storage.uri(key);
        Kind kind = kindOf(m);
        // The listing covers the table's prefix; a key outside it, or one that was written after
        // the listing, is asked for directly before it is called missing.
        ObjectInfo info = listed != null ? listed : storage.stat(key).orElse(null);
        if (info == null) {
            return new ObjectCheck(table, key, kind, Result.MISSING, m, null, null, null, "no object at " + uri);
        }
        Long expectedSize = m.parquetSizeBytes();
        if (expectedSize != null && info.size() != expectedSize) {
            return new ObjectCheck(table, key, kind, Result.CORRUPT, m, info.size(), null, null,
                    info.size() + " bytes stored, the manifest records " + expectedSize);
        }
        String recorded = m.parquetSha256();
        String notRecorded = "checksum not recorded (manifest written by the original tool)";
        if (recorded == null && !deep) {
            return new ObjectCheck(table, key, kind, Result.OK, m, info.size(), null, null,
                    notRecorded + "; size only, --deep decodes it");
        }
        Path copy = null;
        try {
            if (deep) {
                copy = Files.createTempFile(tempDir, "pg-freezer-verify-", ".parquet");
            }
            Download read;
            Decoding decoding = null;
            try {
                byte[] tail = null;
                int tailLength = (int) Math.min(TAIL, info.size());
                if (deep && info.size() >= overlapFrom && tailLength > 0) {
                    try (InputStream in = storage.openRange(key, info.size() - tailLength, tailLength)) {
                        tail = in.readNBytes(tailLength + 1);
                    }
                }
                // A tail of another length means the object is no longer the size listed: no overlap.
                if (tail != null && tail.length == tailLength) {
                    ArrivingFile arriving = new ArrivingFile(copy, info.size(), tail);
                    decoding = Decoding.start(arriving, uri);
                    read = decoding.download(() -> download(key, arriving.path(), listener, arriving));
                } else {
                    read = download(key, copy, listener, null);
                }
            } catch (ObjectNotFoundException e) {
                return new ObjectCheck(table, key, kind, Result.MISSING, m, null, null, null,
                        "no object at " + uri + " (removed while verifying)");
            }
            if (expectedSize != null && read.bytes != expectedSize) {
                return new ObjectCheck(table, key, kind, Result.CORRUPT, m, read.bytes, read.sha256, null,
                        "read " + read.bytes + " bytes, the manifest records " + expectedSize);
            }
            if (recorded != null && !recorded.equalsIgnoreCase(read.sha256)) {
                return new ObjectCheck(table, key, kind, Result.CORRUPT, m, read.bytes, read.sha256, null,
                        "SHA-256 " + read.sha256 + " differs from the manifest's " + recorded);
            }
            if (!deep) {
                return new ObjectCheck(table, key, kind, Result.OK, m, read.bytes, read.sha256, null, "");
            }
            Decoded decoded = decoding != null ? decoding.verdict() : null;
            if (decoded == null) {
                // Decoded as the object is only when it was the object downloaded: the tail read
                // first may belong to a version of the key that was replaced in between.
                decoded = Decoded.of(copy, uri);
            }
            return decode(table, m, kind, copy, uri, read, recorded == null ? notRecorded : "", decoded);
        } catch (IOException e) {
            // A read cut short says nothing about the object: stop, as the run does, and let the
            // operator run verify again rather than report damage that may not be there.
            throw new StorageException("reading " + uri + (copy == null ? "" : " into " + copy) + " failed: "
                    + e.getMessage(), e, true);
        } finally {
            deleteQuietly(copy);
        }
    }

    private static ObjectCheck decode(String table, BatchManifest m, Kind kind, Path copy, String uri, Download read,
                                      String okDetail, Decoded outcome) {
        if (outcome.failure() != null) {
            return new ObjectCheck(table, m.parquetPath(), kind, Result.CORRUPT, m, read.bytes, read.sha256, null,
                    "does not decode: " + outcome.failure().getMessage());
        }
        String writtenFor;
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(copy, uri)) {
            writtenFor = reader.keyValueMetadata().get(FOOTER_BATCH_ID);
        } catch (FormatException e) {
            return new ObjectCheck(table, m.parquetPath(), kind, Result.CORRUPT, m, read.bytes, read.sha256, null,
                    "does not decode: " + e.getMessage());
        }
        long rows = outcome.file().rowsDecoded();
        if (m.rowCount() != null && rows != m.rowCount()) {
            return new ObjectCheck(table, m.parquetPath(), kind, Result.CORRUPT, m, read.bytes, read.sha256, rows,
                    "decodes to " + rows + " row(s), the manifest records " + m.rowCount());
        }
        // Files the original wrote carry no batch id in their footer; ours always do.
        if (writtenFor != null && !writtenFor.equals(m.batchId())) {
            return new ObjectCheck(table, m.parquetPath(), kind, Result.CORRUPT, m, read.bytes, read.sha256, rows,
                    "its footer names batch " + writtenFor + ", the manifest is batch " + m.batchId());
        }
        return new ObjectCheck(table, m.parquetPath(), kind, Result.OK, m, read.bytes, read.sha256, rows, okDetail);
    }

    /** A full decode's verdict: the file's counts, or why it does not decode. */
    private record Decoded(VerifiedFile file, FormatException failure) {
        static Decoded of(Path copy, String uri) {
            try {
                return new Decoded(ParquetArchiveReader.verify(copy, uri), null);
            } catch (FormatException e) {
                return new Decoded(null, e);
            }
        }
    }

    /** A download the decoding of an {@link ArrivingFile} follows on a thread of its own. */
    private static final class Decoding {
        private final ArrivingFile arriving;
        private final Thread thread;
        private volatile Decoded decoded;
        private volatile Throwable crash;

        private Decoding(ArrivingFile arriving, String uri) {
            this.arriving = arriving;
            this.thread = new Thread(() -> {
                try {
                    decoded = new Decoded(ParquetArchiveReader.verify(arriving, uri), null);
                } catch (FormatException e) {
                    decoded = new Decoded(null, e);
                } catch (RuntimeException | Error e) {
                    crash = e;
                }
            }, "verify-decoder");
            thread.setDaemon(true);
        }

        static Decoding start(ArrivingFile arriving, String uri) {
            Decoding d = new Decoding(arriving, uri);
            d.thread.start();
            return d;
        }

        /** Runs the download; whatever becomes of it, the decoding has stopped when this returns. */
        Download download(IoSupplier<Download> download) throws IOException {
            Download read;
            try {
                read = download.get();
            } catch (IOException e) {
                arriving.failed(e);
                join();
                throw e;
            } catch (RuntimeException | Error e) {
                arriving.failed(new IOException(e.getMessage(), e));
                join();
                throw e;
            }
            arriving.ended(read.bytes);
            join();
            if (crash instanceof RuntimeException re) {
                throw re;
            }
            if (crash instanceof Error err) {
                throw err;
            }
            return read;
        }

        /** The decoding's verdict when it decoded the object downloaded; null when it did not. */
        Decoded verdict() throws IOException {
            return arriving.tailMatches() ? decoded : null;
        }

        private void join() {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    // The decoder must stop reading the copy before it is deleted.
                    interrupted = true;
                    arriving.failed(new java.io.InterruptedIOException("verification was interrupted"));
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private record Download(long bytes, String sha256) {
    }

    /** Reads the object, into {@code copy} unless it is null, telling {@code arriving} (if any) how far it got. */
    private Download download(String key, Path copy, Listener listener, ArrivingFile arriving) throws IOException {
        MessageDigest digest = sha256();
        long total = 0;
        byte[] buffer = new byte[BUFFER];
        // Unbuffered: once a write returns, a reader of the copy sees its bytes.
        try (InputStream in = storage.open(key);
             OutputStream out = copy == null ? OutputStream.nullOutputStream() : Files.newOutputStream(copy)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                total += n;
                if (arriving != null) {
                    arriving.arrived(total);
                }
                listener.bytesRead(n);
            }
        }
        return new Download(total, HexFormat.of().formatHex(digest.digest()));
    }

    private static Kind kindOf(BatchManifest m) {
        return m.isLate() ? Kind.LATE : Kind.DATA;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while verifying", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new StorageException("verifying an object failed: " + cause, cause);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // The verdict stands; the operator sees which temporary file to remove.
            log.warn("could not remove temporary copy {}: {}", p, e.getMessage());
        }
    }

    /** Daemon threads, so a stuck read never keeps the process alive after the command ends. */
    private static final class ReaderThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread t = new Thread(task, "verify-reader-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
