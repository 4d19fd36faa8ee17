package io.pgfreezer.restore;

import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.Window;
import io.pgfreezer.FreezerException;
import io.pgfreezer.format.ColumnarTuples;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.format.PgBinaryEncoder;
import io.pgfreezer.format.PgWire;
import io.pgfreezer.format.ValueDigest;
import io.pgfreezer.format.ValueMismatchException;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.source.RestoreTarget;
import io.pgfreezer.source.RestoreTarget.Column;
import io.pgfreezer.source.RestoreTarget.TransactionStatus;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Streams the archive of whole windows of one table back into PostgreSQL: every file of a window
 * (its data file and any late files) in one transaction, as the binary COPY stream export read,
 * re-encoded from the archived values column by column ({@link ColumnarTuples}), or by
 * {@link PgBinaryEncoder} row by row for an array sent in the target's element type. Before the transaction commits,
 * the bytes sent must hash to each file's value digest, which proves the rows are exactly the
 * ones PostgreSQL sent at export. Memory holds one row group of one file at a time, and a few
 * send buffers of the tuples a {@link TupleProducer} encodes ahead of the COPY.
 *
 * <p>Never duplicates: a window that already has rows in the target in its range is refused.
 * Into the archived table itself, the window's manifest records the restoring transaction before
 * it commits and the restore after, so a later run leaves those rows alone and a restore that
 * died between commit and record is recognised (PostgreSQL still knows whether that transaction
 * committed) and recorded rather than refused.
 */
public final class Restorer {
    private static final Logger log = LoggerFactory.getLogger(Restorer.class);
    private static final int SEND_BUFFER = 256 * 1024;
    private static final int DOWNLOAD_BUFFER = 64 * 1024;

    /** Reports progress; called from the restoring thread only. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void planned(int windows, long rows) {
        }

        default void windowStarted(Window window) {
        }

        default void rowsSent(long rows) {
        }

        default void windowFinished(WindowResult result) {
        }
    }

    /**
     * @param intoSource the target is the archived table itself (not {@code --into} another)
     */
    public record Options(Instant from, Instant to, boolean intoSource, boolean dryRun, boolean ignoreExtraColumns) {
    }

    public enum Outcome {
        RESTORED(false),
        /** A restore that committed earlier but died before its manifest said so; now recorded. */
        RECORDED(false),
        ALREADY_RESTORED(false),
        WOULD_RESTORE(false),
        /** Nothing archived: the window held no rows when it was archived. */
        EMPTY(false),
        REFUSED(true),
        FAILED(true);

        private final boolean attention;

        Outcome(boolean attention) {
            this.attention = attention;
        }

        public boolean needsAttention() {
            return attention;
        }
    }

    public record WindowResult(Window window, String batchId, int files, long rows, Outcome outcome, String message) {
    }

    public record Report(String target, List<WindowResult> windows) {
        public Report {
            windows = List.copyOf(windows);
        }

        public long count(Outcome outcome) {
            return windows.stream().filter(w -> w.outcome() == outcome).count();
        }

        public long rows(Outcome outcome) {
            return windows.stream().filter(w -> w.outcome() == outcome).mapToLong(WindowResult::rows).sum();
        }

        public boolean needsAttention() {
            return windows.stream().anyMatch(w -> w.outcome().needsAttention());
        }
    }

    /** One window to restore: its own manifest and the DONE files (data first, then late files in order). */
    private record Planned(Window window, BatchManifest manifest, List<BatchManifest> files, String problem) {
        long rows() {
            return files.stream().mapToLong(f -> f.rowCount() == null ? 0 : f.rowCount()).sum();
        }
    }

    private final ObjectStorage storage;
    private final ManifestStore manifests;
    private final Path tempDir;
    private final Clock clock;

    public Restorer(ObjectStorage storage, ManifestStore manifests, Path tempDir, Clock clock) {
        this.storage = storage;
        this.manifests = manifests;
        this.tempDir = tempDir;
        this.clock = clock;
    }

    /**
     * Restores the windows of {@code table} that lie inside {@code [from, to)} into {@code target}.
     * A window that cannot be restored is reported and the next one is tried; a failure of the
     * database or storage itself ends the restore (the windows committed so far stay restored).
     */
    public Report restore(TableConfig table, RestoreTarget target, Options options, Listener listener) {
        List<Planned> plan = plan(table, options);
        listener.planned(plan.size(), plan.stream().mapToLong(Planned::rows).sum());
        List<WindowResult> results = new ArrayList<>();
        for (Planned p : plan) {
            listener.windowStarted(p.window());
            WindowResult result;
            try {
                result = restoreWindow(table, target, p, options, listener);
            } catch (FreezerException e) {
                target.rollback();
                if (e.isTransient()) {
                    throw e;
                }
                result = new WindowResult(p.window(), p.manifest().batchId(), p.files().size(), p.rows(),
                        Outcome.FAILED, e.getMessage());
            }
            if (result.outcome().needsAttention()) {
                log.warn("window {} not restored: {}", p.window(), result.message());
            } else {
                log.info("window {}: {} ({} rows)", p.window(), result.outcome(), result.rows());
            }
            results.add(result);
            listener.windowFinished(result);
        }
        return new Report(target.qualifiedName(), results);
    }

    private List<Planned> plan(TableConfig table, Options options) {
        List<BatchManifest> all = manifests.list(table.name());
        List<Planned> plan = new ArrayList<>();
        for (BatchManifest m : all) {
            if (m.isLate() || m.windowStart().isBefore(options.from()) || m.windowEnd().isAfter(options.to())) {
                continue;
            }
            Window w = new Window(m.windowStart(), m.windowEnd(), table.partitionBy());
            String problem = null;
            if (m.status() != BatchStatus.DONE) {
                problem = "its batch " + m.batchId() + " is " + m.status()
                        + ", so its rows were never deleted from the table; there is nothing to restore";
            }
            List<BatchManifest> files = new ArrayList<>();
            if (m.parquetPath() != null) {
                files.add(m);
            }
            List<BatchManifest> lates = all.stream()
                    .filter(l -> l.isLate() && m.batchId().equals(l.parentBatchId()))
                    .sorted(Comparator.comparing(BatchManifest::parquetPath, Comparator.nullsLast(Comparator.naturalOrder())))
                    .toList();
            for (BatchManifest late : lates) {
                if (late.status() != BatchStatus.DONE) {
                    problem = problem != null ? problem : "its late batch " + late.batchId() + " is " + late.status()
                            + "; let `pg-freezer run` finish it first";
                } else if (late.parquetPath() != null) {
                    files.add(late);
                }
            }
            plan.add(new Planned(w, m, files, problem));
        }
        plan.sort(Comparator.comparing(p -> p.window().start()));
        return plan;
    }

    private WindowResult restoreWindow(TableConfig table, RestoreTarget target, Planned planned, Options options,
                                       Listener listener) {
        Planned p = planned;
        if (options.intoSource() && !options.dryRun()) {
            // Read for real, not from the listing (which may come from the index): the saves
            // below are conditional on the version this read sees.
            BatchManifest current = manifests.load(table.name(), planned.manifest().batchId()).orElseThrow(() ->
                    new RestoreException("the manifest of window " + planned.window() + " disappeared while restoring"));
            p = new Planned(planned.window(), current, planned.files(), planned.problem());
        }
        BatchManifest m = p.manifest();
        long expected = p.rows();
        if (p.problem() != null) {
            return result(p, Outcome.REFUSED, p.problem());
        }
        if (p.files().isEmpty() || expected == 0) {
            return result(p, Outcome.EMPTY, "the window held no rows when it was archived");
        }
        boolean exists = target.columns().isPresent();
        if (options.intoSource() && m.restoreStarted()) {
            WindowResult settled = settleEarlierRestore(target, p, options.dryRun());
            if (settled != null) {
                return settled;
            }
        }
        if (options.dryRun()) {
            long present = exists ? target.rowsIn(m.windowStart(), m.windowEnd(), options.intoSource()) : 0;
            return present > 0 ? result(p, Outcome.REFUSED, holdsRows(p, target, present, options))
                    : result(p, Outcome.WOULD_RESTORE, "would restore " + p.files().size() + " file(s) into "
                    + target.qualifiedName() + (exists ? "" : " (created from the archive's columns)"));
        }
        List<Path> copies = new ArrayList<>();
        try {
            // Downloaded before the transaction opens, so a slow store never holds it open.
            for (BatchManifest f : p.files()) {
                copies.add(download(f));
            }
            if (!exists) {
                createFromArchive(target, copies.get(0), p.files().get(0).parquetPath());
            }
            List<Column> columns = target.columns().orElseThrow();
            long txid = target.begin();
            long present = target.rowsIn(m.windowStart(), m.windowEnd(), options.intoSource());
            if (present > 0) {
                target.rollback();
                return result(p, Outcome.REFUSED, holdsRows(p, target, present, options));
            }
            BatchManifest recorded = m;
            if (options.intoSource()) {
                // Saved before COPY starts: a crash from here on leaves a manifest that names the
                // transaction, and PostgreSQL can tell the next restore whether it committed.
                recorded = m.withRestore(new BatchManifest.Restore(txid, null, null));
                manifests.save(recorded);
            }
            long restored = 0;
            try {
                for (int i = 0; i < copies.size(); i++) {
                    restored += load(target, copies.get(i), p.files().get(i), columns, options, listener);
                }
                if (restored != expected) {
                    throw new RestoreException("the archive of window " + p.window() + " holds " + restored
                            + " rows but its manifests record " + expected + "; nothing was restored");
                }
            } catch (RuntimeException e) {
                target.rollback();
                if (options.intoSource()) {
                    clearRestore(recorded);
                }
                throw e;
            }
            // A commit that fails may still have committed (the answer was lost on the way), so
            // its mark stays: the next restore asks PostgreSQL how the transaction ended.
            target.commit();
            if (options.intoSource()) {
                manifests.save(recorded.withRestore(new BatchManifest.Restore(txid, clock.instant(), restored)));
            }
            return result(p, Outcome.RESTORED, "restored " + p.files().size() + " file(s) into " + target.qualifiedName());
        } finally {
            for (Path c : copies) {
                deleteQuietly(c);
            }
        }
    }

    /**
     * A manifest that already names a restore: finished ones are done unless their rows were
     * removed since; an unfinished one is settled by asking PostgreSQL about its transaction.
     * Null when the window is to be restored as usual.
     */
    private WindowResult settleEarlierRestore(RestoreTarget target, Planned p, boolean dryRun) {
        BatchManifest m = p.manifest();
        BatchManifest.Restore r = m.restore();
        long present = target.rowsIn(m.windowStart(), m.windowEnd(), true);
        if (r.finished()) {
            return present > 0 ? result(p, Outcome.ALREADY_RESTORED, "restored already at " + r.at()
                    + " (" + present + " row(s) in the table)") : null;
        }
        TransactionStatus status = target.statusOf(r.txid());
        switch (status) {
            case COMMITTED -> {
                if (dryRun) {
                    return result(p, Outcome.ALREADY_RESTORED, "restored by transaction " + r.txid()
                            + ", which committed; the restore would only be recorded");
                }
                manifests.save(m.withRestore(new BatchManifest.Restore(r.txid(), clock.instant(), p.rows())));
                return result(p, Outcome.RECORDED, "an earlier restore (transaction " + r.txid()
                        + ") committed but was not recorded; recorded now");
            }
            case IN_PROGRESS -> {
                return result(p, Outcome.REFUSED, "transaction " + r.txid() + " is still restoring it");
            }
            case ABORTED -> {
                log.info("an earlier restore of window {} (transaction {}) rolled back; restoring it again",
                        p.window(), r.txid());
                return null;
            }
            default -> {
                if (present == 0) {
                    return null;
                }
                return result(p, Outcome.REFUSED, "an earlier restore (transaction " + r.txid()
                        + ") was never recorded as finished and PostgreSQL no longer knows whether it committed; the "
                        + "table holds " + present + " row(s) of the window against " + p.rows()
                        + " archived: delete them and restore again");
            }
        }
    }

    private void clearRestore(BatchManifest recorded) {
        try {
            manifests.save(recorded.withRestore(null));
        } catch (RuntimeException e) {
            // Harmless: the next restore finds the transaction rolled back and starts over.
            log.warn("could not clear the restore mark of batch {}: {}", recorded.batchId(), e.getMessage());
        }
    }

    private static String holdsRows(Planned p, RestoreTarget target, long present, Options options) {
        return "window " + p.window() + " already has " + present + " row(s) in " + target.qualifiedName()
                + "; restoring its " + p.rows() + " archived row(s) would duplicate them. Delete them first "
                + "(they are in the archive), or restore into another table with --into"
                + (options.intoSource() ? "" : " that has none");
    }

    private static WindowResult result(Planned p, Outcome outcome, String message) {
        return new WindowResult(p.window(), p.manifest().batchId(), p.files().size(), p.rows(), outcome, message);
    }

    private void createFromArchive(RestoreTarget target, Path copy, String key) {
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(copy, storage.uri(key))) {
            Map<String, String> types = reader.pgTypes();
            List<RestoreTarget.NewColumn> columns = new ArrayList<>();
            for (var c : reader.columns()) {
                String type = types.get(c.name());
                if (type == null) {
                    throw new RestoreException("archived file " + storage.uri(key) + " does not record the PostgreSQL type of "
                            + "column \"" + c.name() + "\"; create table " + target.qualifiedName() + " first");
                }
                columns.add(new RestoreTarget.NewColumn(c.name(), type));
            }
            target.create(columns);
            log.info("created table {} from the columns of {}", target.qualifiedName(), storage.uri(key));
        }
    }

    /** Streams one archived file into the target; returns the rows the table received. */
    private long load(RestoreTarget target, Path copy, BatchManifest file, List<Column> columns, Options options,
                      Listener listener) {
        String name = storage.uri(file.parquetPath());
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(copy, name)) {
            Map<String, String> wire = reader.wireSpecs();
            String expectedDigest = reader.valueDigest();
            if (wire.isEmpty() || expectedDigest == null) {
                throw new RestoreException("archived file " + name + " records no PostgreSQL wire forms or value digest "
                        + "(it was written by another tool or an older version); restore reads only files that do");
            }
            List<String> names = reader.columns().stream().map(c -> c.name()).toList();
            List<PgWire.Spec> specs = new ArrayList<>();
            for (String n : names) {
                String spec = wire.get(n);
                if (spec == null) {
                    throw new ValueMismatchException("the footer of " + name + " names no wire form for column \"" + n + "\"");
                }
                specs.add(PgWire.parse(spec));
            }
            List<String> extra = new ArrayList<>();
            ColumnPlan plan = ColumnPlan.of(name, names, specs, reader.pgTypes(), target.qualifiedName(), columns,
                    options.ignoreExtraColumns(), extra);
            if (!extra.isEmpty()) {
                log.warn("column(s) {} of {} are not in {} and are left out (--ignore-extra-columns)", extra, name,
                        target.qualifiedName());
            }
            PgBinaryEncoder encoder = new PgBinaryEncoder(plan.names(), plan.specs());
            // When the stream is the file's columns as exported, its bytes are what the digest
            // covers; otherwise the proof encodes the file's own columns a second time.
            ValueDigest proof = plan.sameAsFile() ? new ValueDigest() : new ValueDigest(names, wire(names, wire));
            RestoreTarget.Load load = target.load(plan.load());
            long rows;
            long reported = 0;
            // Column by column unless a column is sent in another form than its file's (an array
            // whose element type is the target's own), which only the row-by-row encoder writes.
            boolean ownForms = true;
            for (int i = 0; i < plan.sent().length; i++) {
                ownForms &= plan.specs().get(i).equals(specs.get(plan.sent()[i]));
            }
            try (ColumnarTuples columnar = ownForms ? reader.tuples(1) : null;
                 TupleProducer tuples = new TupleProducer(name, reader, encoder, columnar, plan.sent(), proof,
                         plan.sameAsFile(), SEND_BUFFER)) {
                tuples.start();
                for (TupleProducer.Chunk c = tuples.next(); c != null; c = tuples.next()) {
                    load.write(c.bytes(), 0, c.length());
                    tuples.recycle(c);
                    if (c.rows() - reported >= 10_000) {
                        listener.rowsSent(c.rows() - reported);
                        reported = c.rows();
                    }
                }
                rows = tuples.rows();
                long received = load.finish();
                listener.rowsSent(rows - reported);
                checkDigest(name, tuples.digest(), expectedDigest);
                if (received != rows || (file.rowCount() != null && rows != file.rowCount())) {
                    throw new RestoreException(name + " decoded to " + rows + " rows, its manifest records " + file.rowCount()
                            + " and the table received " + received + "; nothing was restored");
                }
                return received;
            }
        }
    }

    private static void checkDigest(String name, String actual, String expectedDigest) {
        if (!actual.equals(expectedDigest)) {
            throw new ValueMismatchException("the values restored from " + name + " have digest " + actual
                    + " but PostgreSQL sent values with digest " + expectedDigest + " at export; nothing was restored");
        }
    }

    private static List<String> wire(List<String> names, Map<String, String> wire) {
        return names.stream().map(wire::get).toList();
    }

    /** A local copy of the object, checked against the manifest's size and SHA-256. */
    private Path download(BatchManifest file) {
        String key = file.parquetPath();
        try {
            Path copy = Files.createTempFile(tempDir, "pg-freezer-restore-", ".parquet");
            MessageDigest sha = sha256();
            long total = 0;
            byte[] buffer = new byte[DOWNLOAD_BUFFER];
            try (InputStream in = storage.open(key); OutputStream out = Files.newOutputStream(copy)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    total += n;
                }
            } catch (IOException | RuntimeException e) {
                deleteQuietly(copy);
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new StorageException("reading " + storage.uri(key) + " failed: " + e.getMessage(), e);
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if ((file.parquetSizeBytes() != null && total != file.parquetSizeBytes())
                    || (file.parquetSha256() != null && !actual.equals(file.parquetSha256()))) {
                deleteQuietly(copy);
                throw new RestoreException(storage.uri(key) + " is not the object archived (" + total + " bytes, SHA-256 "
                        + actual + "; the manifest records " + file.parquetSizeBytes() + " bytes, " + file.parquetSha256()
                        + "); run `pg-freezer verify` for details");
            }
            return copy;
        } catch (IOException e) {
            throw new FreezerException("cannot create a temporary file in " + tempDir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("could not delete temporary file {}", p, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
