package io.pgfreezer.fetch;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.format.ArchiveColumn;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.format.ParquetFooter;
import io.pgfreezer.format.ValueKind;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Streams the archived rows of one table whose timestamps lie in {@code [from, to)}, in timestamp
 * order, to a {@link RowWriter}. Needs the object storage only: no database, and no manifest
 * except to explain partitions that have no files.
 *
 * <ol>
 *   <li>List {@code {table}/} and pick the partitions that meet the range ({@link FetchPlan}).</li>
 *   <li>Read every selected file's footer with ranged reads (a few in parallel) and join their
 *       columns ({@link ColumnUnion}), so the CSV header is right before the first row and a type
 *       conflict fails before any output.</li>
 *   <li>Partition by partition, in time order: download its files to temporary files, merge their
 *       rows by timestamp ({@link PartitionMerge}), write them, flush, delete the temporary files.</li>
 * </ol>
 * Memory holds one row group per file of the current partition, plus the footers' column lists;
 * disk holds one partition's files. Neither grows with the range.
 */
public final class Fetcher {

    /** What a fetch reports while it runs; the CLI prints it on stderr. */
    public interface Listener {
        /** Something the operator should know that does not stop the fetch. */
        void note(String message);

        /** A partition has been written and flushed. */
        void partitionDone(PartitionReport report);
    }

    /** One partition's contribution: rows written (inside the range), files and bytes read. */
    public record PartitionReport(String partition, int files, long rows, long bytes) {
    }

    /** The whole fetch. {@code partitionsMissing} counts windows of the range without files. */
    public record Result(int partitions, int files, long rows, long bytes, int partitionsMissing) {
    }

    private static final Set<ValueKind> TIME_KINDS =
            Set.of(ValueKind.TIMESTAMP_UTC, ValueKind.TIMESTAMP_LOCAL, ValueKind.DATE);
    private static final int FOOTER_READERS = 8;

    private final ObjectStorage storage;
    private final ManifestStore manifests;
    private final Path tempDir;
    private final Listener listener;

    public Fetcher(ObjectStorage storage, ManifestStore manifests, Path tempDir, Listener listener) {
        this.storage = storage;
        this.manifests = manifests;
        this.tempDir = tempDir;
        this.listener = listener;
    }

    /**
     * @throws FetchException   when files disagree on a column's type, lack the timestamp column,
     *                          or the output cannot be written
     * @throws FreezerException when storage or a file fails (storage and format errors)
     */
    public Result fetch(TableConfig table, Instant from, Instant to, RowWriter out) {
        FetchPlan plan = FetchPlan.of(storage.list(table.name() + "/"), table.name(), table.partitionBy(), from, to);
        if (!plan.strays().isEmpty()) {
            listener.note("ignored " + plan.strays().size() + " .parquet file(s) outside a year=/month=/day= "
                    + "partition, such as " + storage.uri(plan.strays().get(0)));
        }
        if (!plan.windowsChecked()) {
            listener.note("the range spans more than " + FetchPlan.MAX_EXPECTED_WINDOWS
                    + " partitions; partitions without files are not listed");
        }
        MissingPartitions.describe(plan.missing(), table, manifests).forEach(listener::note);

        List<ArchivedFile> files = plan.partitions().stream().flatMap(p -> p.files().stream()).toList();
        List<ParquetFooter> footers = readFooters(files);
        ColumnUnion union = new ColumnUnion();
        for (int i = 0; i < files.size(); i++) {
            requireTimestampColumn(files.get(i), footers.get(i).columns(), table.timestampColumn());
            union.add(storage.uri(files.get(i).key()), footers.get(i).columns());
        }
        if (files.isEmpty()) {
            listener.note("no archived files of " + table.name() + " in the range");
        }

        write(() -> out.begin(union.names()));
        long rows = 0;
        long bytes = 0;
        for (PartitionFiles partition : plan.partitions()) {
            PartitionReport report = fetchPartition(partition, union, table.timestampColumn(), from, to, out);
            rows += report.rows();
            bytes += report.bytes();
            listener.partitionDone(report);
        }
        write(out::end);
        return new Result(plan.partitions().size(), files.size(), rows, bytes, plan.missing().size());
    }

    private PartitionReport fetchPartition(PartitionFiles partition, ColumnUnion union, String timestampColumn,
                                           Instant from, Instant to, RowWriter out) {
        List<Path> downloads = new ArrayList<>();
        List<ParquetArchiveReader> readers = new ArrayList<>();
        try {
            long bytes = 0;
            List<PartitionMerge.Source> sources = new ArrayList<>();
            for (ArchivedFile file : partition.files()) {
                Path local = download(file);
                downloads.add(local);
                bytes += Files.size(local);
                String name = storage.uri(file.key());
                ParquetArchiveReader reader = ParquetArchiveReader.open(local, name);
                readers.add(reader);
                List<ArchiveColumn> columns = reader.columns();
                sources.add(new PartitionMerge.Source(name, reader,
                        requireTimestampColumn(file, columns, timestampColumn), union.positions(name, columns)));
            }
            PartitionMerge merge = new PartitionMerge(sources, from, to, listener::note);
            long rows = 0;
            for (Object[] row = merge.next(); row != null; row = merge.next()) {
                Object[] values = row;
                write(() -> out.row(values));
                rows++;
            }
            write(out::flush);
            return new PartitionReport(partition.partition().path(), partition.files().size(), rows, bytes);
        } catch (IOException e) {
            throw new FetchException("cannot read the downloaded copy of a file of " + partition.partition().path()
                    + " in " + tempDir + ": " + e.getMessage(), e);
        } finally {
            readers.forEach(ParquetArchiveReader::close);
            downloads.forEach(Fetcher::deleteQuietly);
        }
    }

    private Path download(ArchivedFile file) {
        Path local;
        try {
            local = Files.createTempFile(tempDir, "pg-freezer-fetch-", ".parquet");
        } catch (IOException e) {
            throw new FetchException("cannot create a temporary file in " + tempDir + ": " + e.getMessage(), e);
        }
        try (InputStream in = storage.open(file.key())) {
            Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            return local;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(local);
            if (e instanceof FreezerException fe) {
                throw fe;
            }
            throw new StorageException("cannot download " + storage.uri(file.key()) + " to " + tempDir + ": "
                    + e.getMessage(), e);
        }
    }

    private List<ParquetFooter> readFooters(List<ArchivedFile> files) {
        if (files.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(FOOTER_READERS, files.size()), runnable -> {
            Thread thread = new Thread(runnable, "pg-freezer-fetch-footer");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<ParquetFooter>> pending = new ArrayList<>();
            for (ArchivedFile file : files) {
                pending.add(pool.submit(() -> ParquetFooter.read(
                        new ObjectTailInputFile(storage, file.key(), file.size()), storage.uri(file.key()))));
            }
            List<ParquetFooter> footers = new ArrayList<>();
            for (Future<ParquetFooter> footer : pending) {
                footers.add(footer.get());
            }
            return footers;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FreezerException fe) {
                throw fe;
            }
            throw new FetchException("cannot read a Parquet footer: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while reading Parquet footers", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** @return the column's position; it must be a timestamp or a date */
    private int requireTimestampColumn(ArchivedFile file, List<ArchiveColumn> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            ArchiveColumn column = columns.get(i);
            if (column.name().equals(name)) {
                if (column.type().list() || !TIME_KINDS.contains(column.type().kind())) {
                    throw new FetchException("column \"" + name + "\" (timestamp_column) of " + storage.uri(file.key())
                            + " is " + column.type() + ", not a timestamp or a date");
                }
                return i;
            }
        }
        throw new FetchException(storage.uri(file.key()) + " has no column \"" + name + "\" (timestamp_column); its "
                + "columns are " + columns.stream().map(ArchiveColumn::name).collect(Collectors.joining(", ")));
    }

    private interface OutputStep {
        void run() throws IOException;
    }

    private static void write(OutputStep step) {
        try {
            step.run();
        } catch (IOException e) {
            throw new FetchException("cannot write the output: " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A temporary file; the system's temp cleaning removes what is left.
        }
    }
}
