package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.LocalObjectStorage;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fetch engine over files written by another Parquet writer (DuckDB), laid out as the archive
 * lays them out: what it selects, how it merges, and what it reads to do so.
 */
class FetcherTest {
    private static final TableConfig TABLE = new TableConfig("events", "public", "ts", Granularity.DAILY,
            Duration.ofDays(1), Optional.empty());

    @TempDir
    Path root;
    @TempDir
    Path temp;

    private LocalObjectStorage storage;
    private final List<String> notes = new ArrayList<>();
    private final List<Fetcher.PartitionReport> partitions = new ArrayList<>();

    @BeforeEach
    void open() {
        storage = new LocalObjectStorage(root);
    }

    /** A Parquet file of (ts timestamptz, v int) rows, in the order given. */
    private void file(String key, String... rows) throws IOException {
        Path path = root.resolve(key);
        Files.createDirectories(path.getParent());
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < rows.length; i++) {
            String[] parts = rows[i].split("=");
            values.append(i == 0 ? "" : ", ").append("(TIMESTAMPTZ '").append(parts[0]).append("+00', ").append(parts[1])
                    .append(")");
        }
        duckDb("COPY (SELECT * FROM (VALUES " + values + ") AS t(ts, v)) TO '" + path
                + "' (FORMAT PARQUET)");
    }

    /** Runs a statement that returns no rows, such as COPY ... TO. */
    private static void duckDb(String sql) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("DuckDB: " + e.getMessage() + "\n" + sql, e);
        }
    }

    private List<String> fetch(ObjectStorage from, String start, String end) {
        StringWriter out = new StringWriter();
        Fetcher fetcher = new Fetcher(from, new StorageManifestStore(from), temp, new Fetcher.Listener() {
            @Override
            public void note(String message) {
                notes.add(message);
            }

            @Override
            public void partitionDone(Fetcher.PartitionReport report) {
                partitions.add(report);
            }
        });
        fetcher.fetch(TABLE, Instant.parse(start), Instant.parse(end), RowWriter.Format.CSV.on(out));
        return out.toString().lines().toList();
    }

    @Test
    void filesOfOnePartitionAreMergedByTimestampWithTiesToTheDataFileFirst() throws IOException {
        file("events/year=2024/month=01/day=15/data.parquet", "2024-01-15 01:00=1", "2024-01-15 03:00=3", "2024-01-15 05:00=5");
        file("events/year=2024/month=01/day=15/late-1.parquet", "2024-01-15 00:30=10", "2024-01-15 03:00=30",
                "2024-01-15 06:00=60");
        file("events/year=2024/month=01/day=15/late-2.parquet", "2024-01-15 04:00=40");

        List<String> lines = fetch(storage, "2024-01-15T00:00:00Z", "2024-01-16T00:00:00Z");

        assertThat(lines).containsExactly("ts,v", "2024-01-15T00:30:00+00:00,10", "2024-01-15T01:00:00+00:00,1",
                "2024-01-15T03:00:00+00:00,3", "2024-01-15T03:00:00+00:00,30", "2024-01-15T04:00:00+00:00,40",
                "2024-01-15T05:00:00+00:00,5", "2024-01-15T06:00:00+00:00,60");
        assertThat(partitions).containsExactly(new Fetcher.PartitionReport("year=2024/month=01/day=15", 3, 7,
                Files.size(root.resolve("events/year=2024/month=01/day=15/data.parquet"))
                        + Files.size(root.resolve("events/year=2024/month=01/day=15/late-1.parquet"))
                        + Files.size(root.resolve("events/year=2024/month=01/day=15/late-2.parquet"))));
        assertThat(notes).isEmpty();
    }

    @Test
    void onlyRowsInsideTheRangeComeOutAndPartitionsOutsideItAreNotRead() throws IOException {
        file("events/year=2024/month=01/day=14/data.parquet", "2024-01-14 23:59=0");
        file("events/year=2024/month=01/day=15/data.parquet", "2024-01-15 05:59:59.999999=1", "2024-01-15 06:00=2",
                "2024-01-15 23:00=3");
        file("events/year=2024/month=01/day=16/data.parquet", "2024-01-16 00:00=4", "2024-01-16 12:00=5");
        file("events/year=2024/month=01/day=17/data.parquet", "2024-01-17 00:00=6");
        List<String> opened = new ArrayList<>();
        ObjectStorage watched = new ForwardingStorage(storage) {
            @Override
            public InputStream open(String key) {
                opened.add(key);
                return super.open(key);
            }
        };

        List<String> lines = fetch(watched, "2024-01-15T06:00:00Z", "2024-01-16T12:00:00Z");

        assertThat(lines).containsExactly("ts,v", "2024-01-15T06:00:00+00:00,2", "2024-01-15T23:00:00+00:00,3",
                "2024-01-16T00:00:00+00:00,4");
        assertThat(opened).containsExactly("events/year=2024/month=01/day=15/data.parquet",
                "events/year=2024/month=01/day=16/data.parquet");
    }

    @Test
    void footersAreReadWithRangedReadsOfTheirTailOnly() throws IOException {
        StringBuilder many = new StringBuilder("SELECT TIMESTAMPTZ '2024-01-15 00:00+00' + i * INTERVAL 1 MICROSECOND AS ts, "
                + "md5(i::VARCHAR) AS v FROM range(200000) t(i)");
        Path path = root.resolve("events/year=2024/month=01/day=15/data.parquet");
        Files.createDirectories(path.getParent());
        duckDb("COPY (" + many + ") TO '" + path + "' (FORMAT PARQUET)");
        long size = Files.size(path);
        AtomicLong rangedBytes = new AtomicLong();
        List<String> fullReads = new ArrayList<>();
        ObjectStorage counting = new ForwardingStorage(storage) {
            @Override
            public InputStream openRange(String key, long offset, long length) {
                rangedBytes.addAndGet(Math.min(length, size - offset));
                return super.openRange(key, offset, length);
            }

            @Override
            public InputStream open(String key) {
                fullReads.add(key);
                return super.open(key);
            }
        };

        List<String> lines = fetch(counting, "2024-01-15T00:00:00.199990Z", "2024-01-16T00:00:00Z");

        assertThat(size).isGreaterThan(4 * ObjectTailInputFile.TAIL_BYTES);
        assertThat(rangedBytes.get()).isPositive().isLessThanOrEqualTo(ObjectTailInputFile.TAIL_BYTES);
        assertThat(fullReads).hasSize(1);
        assertThat(lines).hasSize(1 + 10).first().isEqualTo("ts,v");
    }

    @Test
    void theFirstPartitionIsWrittenBeforeTheLastIsDownloaded() throws IOException {
        file("events/year=2024/month=01/day=15/data.parquet", "2024-01-15 01:00=1");
        file("events/year=2024/month=01/day=16/data.parquet", "2024-01-16 01:00=2");
        file("events/year=2024/month=01/day=17/data.parquet", "2024-01-17 01:00=3");
        StringWriter out = new StringWriter();
        List<String> seenWhenLastOpened = new ArrayList<>();
        ObjectStorage watched = new ForwardingStorage(storage) {
            @Override
            public InputStream open(String key) {
                if (key.contains("day=17")) {
                    seenWhenLastOpened.addAll(out.toString().lines().toList());
                }
                return super.open(key);
            }
        };
        Fetcher fetcher = new Fetcher(watched, new StorageManifestStore(watched), temp, new Fetcher.Listener() {
            @Override
            public void note(String message) {
            }

            @Override
            public void partitionDone(Fetcher.PartitionReport report) {
            }
        });

        fetcher.fetch(TABLE, Instant.parse("2024-01-15T00:00:00Z"), Instant.parse("2024-01-18T00:00:00Z"),
                RowWriter.Format.JSONL.on(out));

        assertThat(seenWhenLastOpened).containsExactly("{\"ts\":\"2024-01-15T01:00:00+00:00\",\"v\":1}",
                "{\"ts\":\"2024-01-16T01:00:00+00:00\",\"v\":2}");
        try (var left = Files.list(temp)) {
            assertThat(left).as("temporary downloads are deleted").isEmpty();
        }
    }

    @Test
    void aFileNotInTimestampOrderStillGivesAllItsRowsWithANote() throws IOException {
        file("events/year=2024/month=01/day=15/data.parquet", "2024-01-15 05:00=5", "2024-01-15 01:00=1");

        List<String> lines = fetch(storage, "2024-01-15T00:00:00Z", "2024-01-16T00:00:00Z");

        assertThat(lines).hasSize(3);
        assertThat(notes).singleElement().asString().contains("is not in timestamp order");
    }

    @Test
    void filesOutsideTimePartitionsAndHiddenFilesAreSkipped() throws IOException {
        file("events/year=2024/month=01/day=15/data.parquet", "2024-01-15 01:00=1");
        file("events/year=2024/month=01/day=15/_tmp.parquet", "2024-01-15 02:00=2");
        file("events/region=eu/data.parquet", "2024-01-15 03:00=3");
        Files.writeString(root.resolve("events/year=2024/month=01/day=15/_SUCCESS"), "");

        List<String> lines = fetch(storage, "2024-01-15T00:00:00Z", "2024-01-16T00:00:00Z");

        assertThat(lines).containsExactly("ts,v", "2024-01-15T01:00:00+00:00,1");
        assertThat(notes).singleElement().asString()
                .isEqualTo("ignored 1 .parquet file(s) outside a year=/month=/day= partition, such as "
                        + root.resolve("events/region=eu/data.parquet"));
    }

    @Test
    void aFileWithoutTheTimestampColumnIsAnErrorNamingItAndItsColumns() throws IOException {
        Path path = root.resolve("events/year=2024/month=01/day=15/data.parquet");
        Files.createDirectories(path.getParent());
        duckDb("COPY (SELECT 1 AS a, 'x' AS b) TO '" + path + "' (FORMAT PARQUET)");

        assertThatThrownBy(() -> fetch(storage, "2024-01-15T00:00:00Z", "2024-01-16T00:00:00Z"))
                .isInstanceOf(FetchException.class)
                .hasMessage(path + " has no column \"ts\" (timestamp_column); its columns are a, b");
    }

    @Test
    void monthlyAndHourlyPartitionsAreReadByTheirOwnIntervals() throws IOException {
        file("events/year=2024/month=01/data.parquet", "2024-01-31 23:00=1");
        file("events/year=2024/month=02/day=01/hour=00/data.parquet", "2024-02-01 00:30=2");

        List<String> lines = fetch(storage, "2024-01-31T00:00:00Z", "2024-02-01T01:00:00Z");

        assertThat(lines).containsExactly("ts,v", "2024-01-31T23:00:00+00:00,1", "2024-02-01T00:30:00+00:00,2");
    }
}
