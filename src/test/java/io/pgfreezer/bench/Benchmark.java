package io.pgfreezer.bench;

import io.pgfreezer.config.DatabaseConfig;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.Archiver;
import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.engine.StopSignal;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.format.ParquetFormat;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.restore.Restorer;
import io.pgfreezer.source.RestoreTarget;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Measures pg-freezer against baselines taken in the same run on the same data:
 * export against {@code COPY (SELECT ...) TO STDOUT (FORMAT binary)}, the guarded chunked delete
 * against one plain {@code DELETE}, the peak Java heap for two window sizes (it must not grow
 * with the window), verification on one and two decoding threads, restore against a plain
 * {@code COPY ... FROM STDIN (FORMAT binary)} of the same rows into the same table in the same
 * state, verify --deep against one read of the objects from local storage and from an S3 API
 * server, and the peak resident set of the
 * packaged tool run as a child process for 1,000,000 rows and for the full count; then, for the
 * same day in a day-partitioned table, the prune step of {@code retention: drop} against a plain
 * DELETE on an unpartitioned copy and a bare DROP TABLE of the partition, with the dead tuples
 * each leaves. Run with {@code scripts/benchmark.sh [rows]}.
 */
public final class Benchmark {
    private static final Instant DAY = Instant.parse("2024-01-15T00:00:00Z");

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        String mode = args.length > 1 ? args[1] : "";
        boolean rss = !mode.equals("--no-rss");
        System.out.printf("java %s, max heap %d MiB, %d cores%n", Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off").start()) {
            if (mode.equals("--rss-only")) {
                Rss million = peakRss(pg, 1_000_000);
                Rss large = rows == 1_000_000 ? million : peakRss(pg, rows);
                printRss(million, large);
                return;
            }
            // JIT warm-up, so neither measured size pays for compiling the code.
            measure(pg, Math.max(10_000, rows / 40), "bench_warmup");
            Result small = measure(pg, rows / 4, "bench_small");
            Result large = measure(pg, rows, "bench_large");
            Rss rssMillion = rss ? peakRss(pg, 1_000_000) : null;
            Rss rssLarge = !rss || rows == 1_000_000 ? rssMillion : peakRss(pg, rows);
            System.out.println();
            System.out.printf("%-12s %10s %12s %12s %8s %12s %12s %8s %14s%n", "table", "rows", "copy s", "export s",
                    "ratio", "delete s", "guarded s", "ratio", "live heap MiB");
            for (Result r : new Result[] {small, large}) {
                System.out.printf("%-12s %,10d %12.2f %12.2f %8.2f %12.2f %12.2f %8.2f %14d%n", r.table, r.rows,
                        r.copySeconds, r.exportSeconds, r.exportSeconds / r.copySeconds, r.plainDeleteSeconds,
                        r.guardedDeleteSeconds, r.guardedDeleteSeconds / r.plainDeleteSeconds, r.peakHeap >> 20);
            }
            System.out.println();
            System.out.printf("%-12s %10s %12s %14s %8s %12s %12s %8s%n", "table", "rows", "run s", "by hand s", "ratio",
                    "export s", "verify s", "ratio");
            for (Result r : new Result[] {small, large}) {
                System.out.printf("%-12s %,10d %12.2f %14.2f %8.2f %12.2f %12.2f %8.2f%n", r.table, r.rows, r.runSeconds,
                        r.byHandSeconds, r.runSeconds / r.byHandSeconds, r.exportSeconds, r.verifySeconds,
                        r.verifySeconds / r.exportSeconds);
            }
            System.out.println("by hand: COPY ... TO STDOUT (FORMAT csv) into a file, DuckDB COPY of that CSV TO "
                    + "parquet (snappy), one plain DELETE; run: pg-freezer's whole run (export, upload, verify, delete)");
            System.out.println();
            System.out.printf("%-12s %10s %16s %16s %12s %8s %14s%n", "table", "rows", "copy in (old) s", "copy in s",
                    "restore s", "ratio", "ratio to old");
            for (Result r : new Result[] {small, large}) {
                System.out.printf("%-12s %,10d %16.2f %16.2f %12.2f %8.2f %14.2f%n", r.table, r.rows, r.freshCopyInSeconds,
                        r.plainCopyInSeconds, r.restoreSeconds, r.restoreSeconds / r.plainCopyInSeconds,
                        r.restoreSeconds / r.freshCopyInSeconds);
            }
            System.out.println("copy in: COPY ... FROM STDIN (FORMAT binary) of a file COPY ... TO wrote in this run, into "
                    + "the archived table, vacuumed after the window's rows were deleted (the state restore loads into; "
                    + "goal: ratio <= 1.5); copy in (old): the same into a fresh table of the same shape and index; "
                    + "restore: pg-freezer restore of the archived window (read, decode, re-encode, digest, COPY, commit, "
                    + "manifest)");
            System.out.println();
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("%-12s %10s %14s %14s %8s %14s %14s %8s %12s %8s %10s %8s%n", "table", "rows", "local read s",
                    "deep s", "ratio", "S3 GET s", "deep s", "ratio", "SHA-256 s", "floor", "work CPU s", "floor");
            for (Result r : new Result[] {small, large}) {
                System.out.printf("%-12s %,10d %14.2f %14.2f %8.2f %14.2f %14.2f %8.2f %12.2f %8.2f %10.2f %8.2f%n", r.table,
                        r.rows, r.deepLocal[1], r.deepLocal[0], r.deepLocal[0] / r.deepLocal[1], r.deepS3[1], r.deepS3[0],
                        r.deepS3[0] / r.deepS3[1], r.valueDigestSeconds, r.valueDigestSeconds / r.deepS3[1],
                        r.floor.total(), r.floor.total() / cores / r.deepS3[1]);
            }
            System.out.println("verify --deep of the window's archive (goal: ratio <= 2) against reading its objects' bytes "
                    + "once from the storage it is on: local file storage (a copy out of the page cache), and S3 (the "
                    + "archive copied to a bucket of s3proxy on this machine; one GET per object through the AWS SDK); "
                    + "SHA-256: one digest over as many bytes as the window's binary COPY stream, the value proof "
                    + "verify --deep recomputes, with nothing decoded; floor: that alone against the S3 GET; work CPU: "
                    + "the CPU time of the work every deep check does whatever its decoder (the GET, both SHA-256s, "
                    + "reading and decompressing every page), and its floor: that time spread over all " + cores
                    + " cores, against the S3 GET");
            System.out.printf("export throughput: %,.0f rows/s; parquet bytes per row: %.1f%n",
                    large.rows / large.exportSeconds, (double) large.bytes / large.rows);
            System.out.printf("largest heap live after a GC, %,d rows vs %,d rows: %d MiB vs %d MiB%n", small.rows, large.rows,
                    small.peakHeap >> 20, large.peakHeap >> 20);
            System.out.printf("verification alone, 1 vs 2 decoding threads: %s %.2f s vs %.2f s (%.2f), %s %.2f s vs %.2f s (%.2f)%n",
                    small.table, small.verifyOneThread, small.verifyTwoThreads, small.verifyTwoThreads / small.verifyOneThread,
                    large.table, large.verifyOneThread, large.verifyTwoThreads, large.verifyTwoThreads / large.verifyOneThread);
            if (rss) {
                printRss(rssMillion, rssLarge);
            }
            measurePartitioned(pg, rows, "bench_parted");
        }
    }

    /** The same day's rows, inserted as the plain tables' are. */
    private static String fill(String table, long rows) {
        return "INSERT INTO " + table + " SELECT timestamptz '2024-01-15 00:00+00' + n * (interval '86399 seconds' / "
                + rows + "), n % 8, n * 0.25, 'celsius', jsonb_build_object('seq', n, 'ok', true) "
                + "FROM generate_series(1, " + rows + ") n";
    }

    private static void createPartitioned(Statement st, String table, long rows) throws Exception {
        st.execute("CREATE TABLE " + table + " (recorded_at timestamptz NOT NULL, sensor_id int, "
                + "value double precision, unit text, payload jsonb) PARTITION BY RANGE (recorded_at)");
        st.execute("CREATE TABLE " + table + "_20240115 PARTITION OF " + table
                + " FOR VALUES FROM ('2024-01-15 00:00+00') TO ('2024-01-16 00:00+00')");
        st.execute("CREATE TABLE " + table + "_20240116 PARTITION OF " + table
                + " FOR VALUES FROM ('2024-01-16 00:00+00') TO ('2024-01-17 00:00+00')");
        st.execute("CREATE INDEX ON " + table + " (recorded_at)");
        st.execute(fill(table, rows));
        st.execute("VACUUM ANALYZE " + table);
    }

    /** Dead tuples the statistics report for every table whose name starts with {@code prefix}. */
    private static long deadTuples(Statement st, String prefix) throws Exception {
        try (var rs = st.executeQuery("SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname LIKE '"
                + prefix + "%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The prune step for a day-partitioned table against the two ways of removing the same day by
     * hand: a plain DELETE on an unpartitioned copy, and a bare DROP TABLE of the partition.
     */
    private static void measurePartitioned(EmbeddedPostgres pg, long rows, String table) throws Exception {
        String dsn = "postgresql://postgres@localhost:" + pg.getPort() + "/postgres";
        String jdbc = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        System.out.printf("%n%s: loading %,d rows into a day-partitioned table, a copy of it and an unpartitioned one...%n",
                table, rows);
        double plainDelete;
        double bareDrop;
        double bareCount;
        long deadAfterDelete;
        long deadAfterDrop;
        long inDay;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            createPartitioned(st, table, rows);
            // The last generated timestamp can round onto the next day's first instant.
            try (var rs = st.executeQuery("SELECT count(*) FROM " + table + "_20240115")) {
                rs.next();
                inDay = rs.getLong(1);
            }
            createPartitioned(st, table + "_bare", rows);
            st.execute("CREATE TABLE " + table + "_plain (recorded_at timestamptz NOT NULL, sensor_id int, "
                    + "value double precision, unit text, payload jsonb)");
            st.execute(fill(table + "_plain", rows));
            st.execute("CREATE INDEX ON " + table + "_plain (recorded_at)");
            st.execute("VACUUM ANALYZE " + table + "_plain");

            long start = System.nanoTime();
            st.executeUpdate("DELETE FROM " + table + "_plain WHERE recorded_at >= '2024-01-15' AND recorded_at < '2024-01-16'");
            plainDelete = seconds(start);
            // The least any proof that the partition holds exactly the archived rows must do:
            // count them, once, with the table's pages already cached.
            bareCount = Double.MAX_VALUE;
            for (int i = 0; i < 2; i++) {
                start = System.nanoTime();
                st.execute("SELECT count(*) FROM " + table + "_bare_20240115");
                bareCount = Math.min(bareCount, seconds(start));
            }
            start = System.nanoTime();
            st.execute("DROP TABLE " + table + "_bare_20240115");
            bareDrop = seconds(start);
            // Statistics reach the shared counters when a session goes idle; ask for it now.
            st.execute("SELECT pg_stat_force_next_flush()");
            Thread.sleep(1_000);
            deadAfterDelete = deadTuples(st, table + "_plain");
            deadAfterDrop = deadTuples(st, table + "_bare");
        }

        Path root = Files.createTempDirectory("pg-freezer-bench-");
        StorageConfig storage = new StorageConfig(StorageConfig.Protocol.FILE, null, root, Optional.empty(),
                "us-east-1", Optional.empty(), Optional.empty(), false);
        FreezerConfig config = new FreezerConfig(
                new DatabaseConfig(dsn, jdbc, "postgres", null, 2, Duration.ZERO), storage,
                java.util.List.of(new TableConfig(table, "public", "recorded_at", Granularity.DAILY, Duration.ofDays(1),
                        Optional.empty(), io.pgfreezer.config.Retention.DROP, Optional.empty())),
                new GlobalConfig(1, false, Duration.ofHours(1), GlobalConfig.Compression.SNAPPY, 50_000,
                        Optional.empty(), GlobalConfig.Metrics.none()));
        RunReport report;
        try (ObjectStorage store = ObjectStorages.open(storage); PostgresSource source = new PostgresSource(config.database())) {
            Archiver archiver = new Archiver(config, source, store, new StorageManifestStore(store),
                    new ParquetFormat(config.global().compression()), Notifier.NONE,
                    Clock.fixed(DAY.plus(Duration.ofDays(3)), ZoneOffset.UTC), new StopSignal(), root);
            report = archiver.run(RunOptions.run(Optional.empty(), false, false));
        }
        BatchOutcome b = report.batches().get(0);
        if (b.result() != BatchOutcome.Result.DONE || b.rows() != inDay) {
            throw new IllegalStateException("benchmark run did not archive the partition: " + b);
        }
        boolean dayAttached;
        long deadAfterPrune;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT count(*) FROM pg_inherits WHERE inhparent = '" + table
                    + "'::regclass AND inhrelid::regclass::text = '" + table + "_20240115'")) {
                rs.next();
                dayAttached = rs.getLong(1) > 0;
            }
            Thread.sleep(1_000);
            deadAfterPrune = deadTuples(st, table + "_2024");
        }
        if (dayAttached) {
            throw new IllegalStateException("the archived partition is still attached");
        }
        System.out.println();
        System.out.printf("%-44s %10s %10s %12s%n", "removing one day of " + table, "rows", "seconds", "dead tuples");
        System.out.printf("%-44s %,10d %10.3f %12d%n", "pg-freezer prune (prove, detach, drop)", inDay,
                b.deleteTime().toNanos() / 1e9, deadAfterPrune);
        System.out.printf("%-44s %,10d %10.3f %12d%n", "plain DELETE on an unpartitioned copy", inDay, plainDelete,
                deadAfterDelete);
        System.out.printf("%-44s %,10d %10.3f %12d%n", "bare DROP TABLE of the partition", inDay, bareDrop, deadAfterDrop);
        System.out.printf("%-44s %,10d %10.3f %12s%n", "count(*) of the partition alone, best of 2", inDay, bareCount, "-");
        System.out.printf("(prune, DROP and count each against the plain DELETE: %.3f, %.3f, %.3f; goal for the prune < 0.01)%n",
                b.deleteTime().toNanos() / 1e9 / plainDelete, bareDrop / plainDelete, bareCount / plainDelete);
        System.out.printf("(pg-freezer on the partitioned table: export %.2f s, verify %.2f s)%n",
                b.exportTime().toNanos() / 1e9, b.verifyTime().toNanos() / 1e9);
    }

    record Result(String table, long rows, double copySeconds, double exportSeconds, double plainDeleteSeconds,
                  double guardedDeleteSeconds, long peakHeap, long bytes, double verifySeconds, double runSeconds,
                  double byHandSeconds, double freshCopyInSeconds, double plainCopyInSeconds, double restoreSeconds,
                  double verifyOneThread, double verifyTwoThreads, double[] deepLocal, double[] deepS3,
                  long valueStreamBytes, double valueDigestSeconds, Floor floor) {
    }

    /**
     * CPU seconds of the work every deep check of the window does, however its values are decoded:
     * one GET of each object (this process's CPU and the S3 server's), SHA-256 of the objects'
     * bytes, reading, CRC-checking and decompressing every page, and the value proof's SHA-256.
     */
    record Floor(double getCpu, double objectSha, double pages, double valueDigest) {
        double total() {
            return getCpu + objectSha + pages + valueDigest;
        }
    }

    private static Result measure(EmbeddedPostgres pg, long rows, String table) throws Exception {
        String dsn = "postgresql://postgres@localhost:" + pg.getPort() + "/postgres";
        String jdbc = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        System.out.printf("%s: loading %,d rows...%n", table, rows);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            load(st, table, rows);
            st.execute("CREATE INDEX ON " + table + " (recorded_at)");
            st.execute("CREATE TABLE " + table + "_copy AS SELECT * FROM " + table);
            st.execute("CREATE INDEX ON " + table + "_copy (recorded_at)");
            st.execute("VACUUM ANALYZE " + table);
            st.execute("VACUUM ANALYZE " + table + "_copy");
        }

        double copy;
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            long start = System.nanoTime();
            long copied = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM " + table
                    + " WHERE recorded_at >= '2024-01-15' AND recorded_at < '2024-01-16' ORDER BY recorded_at) "
                    + "TO STDOUT (FORMAT binary)", OutputStream.nullOutputStream());
            copy = seconds(start);
            System.out.printf("%s: COPY binary of %,d rows in %.2f s%n", table, copied, copy);
        }

        // The by-hand pipeline an operator could script instead: CSV out (what psql's \copy does),
        // DuckDB turns it into Parquet, then the plain DELETE measured below.
        double byHandExport;
        Path handDir = Files.createTempDirectory("pg-freezer-by-hand-");
        Path csv = handDir.resolve("window.csv");
        try (Connection c = pg.getPostgresDatabase().getConnection();
             OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(csv), 1 << 16)) {
            long start = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM " + table
                    + " WHERE recorded_at >= '2024-01-15' AND recorded_at < '2024-01-16' ORDER BY recorded_at) "
                    + "TO STDOUT (FORMAT csv, HEADER)", out);
            out.flush();
            try (Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                 Statement st = duck.createStatement()) {
                st.execute("COPY (SELECT * FROM read_csv('" + csv + "', header = true)) TO '"
                        + handDir.resolve("window.parquet") + "' (FORMAT parquet, COMPRESSION snappy)");
            }
            byHandExport = seconds(start);
            System.out.printf("%s: by hand, CSV out and DuckDB to Parquet in %.2f s%n", table, byHandExport);
        }

        // The baseline for restore: the same rows as PostgreSQL's own binary COPY writes them, read
        // back later by a plain COPY ... FROM STDIN.
        Path binary = handDir.resolve("window.bin");
        try (Connection c = pg.getPostgresDatabase().getConnection();
             OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(binary), 1 << 16)) {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM " + table
                    + " WHERE recorded_at >= '2024-01-15' AND recorded_at < '2024-01-16' ORDER BY recorded_at) "
                    + "TO STDOUT (FORMAT binary)", out);
        }
        // What verify --deep cannot go below: the value proof is one SHA-256 over this stream
        // after its 19-byte header, and one digest runs on one core however the decoding is split.
        long valueStreamBytes = Files.size(binary) - 19;
        double valueDigest = sha256Seconds(valueStreamBytes);
        System.out.printf("%s: SHA-256 alone over the window's %,d-byte value stream, best of 3: %.2f s%n", table,
                valueStreamBytes, valueDigest);

        double plainDelete;
        long inWindow;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            long start = System.nanoTime();
            inWindow = st.executeUpdate("DELETE FROM " + table + "_copy WHERE recorded_at >= '2024-01-15' "
                    + "AND recorded_at < '2024-01-16'");
            plainDelete = seconds(start);
            System.out.printf("%s: plain DELETE of %,d rows in %.2f s%n", table, inWindow, plainDelete);
            // The copy has done its part. Left in place, its dead rows would bring autovacuum to it
            // in the middle of the measured run, on the same two cores: a cost of the baseline, not
            // of the run.
            st.execute("DROP TABLE " + table + "_copy");
        }
        // Likewise the by-hand pipeline's CSV: written out in the background while the run goes, it
        // would charge the run with the baseline's disk writes.
        Files.delete(csv);

        Path root = Files.createTempDirectory("pg-freezer-bench-");
        StorageConfig storage = new StorageConfig(StorageConfig.Protocol.FILE, null, root, Optional.empty(),
                "us-east-1", Optional.empty(), Optional.empty(), false);
        FreezerConfig config = new FreezerConfig(
                new DatabaseConfig(dsn, jdbc, "postgres", null, 2, Duration.ZERO), storage,
                java.util.List.of(new TableConfig(table, "public", "recorded_at", Granularity.DAILY, Duration.ofDays(1),
                        Optional.empty())),
                new GlobalConfig(1, false, Duration.ofHours(1), GlobalConfig.Compression.SNAPPY, 50_000,
                        Optional.empty(), GlobalConfig.Metrics.none()));
        System.gc();
        LiveHeapSampler sampler = new LiveHeapSampler();
        sampler.start();
        RunReport report;
        long runStart = System.nanoTime();
        try (ObjectStorage store = ObjectStorages.open(storage); PostgresSource source = new PostgresSource(config.database())) {
            Archiver archiver = new Archiver(config, source, store, new StorageManifestStore(store),
                    new ParquetFormat(config.global().compression()), Notifier.NONE,
                    Clock.fixed(DAY.plus(Duration.ofDays(3)), ZoneOffset.UTC), new StopSignal(), root);
            report = archiver.run(RunOptions.run(Optional.empty(), false, false));
        }
        double run = seconds(runStart);
        long peak = sampler.stopAndGetMax();
        BatchOutcome b = report.batches().get(0);
        if (b.result() != BatchOutcome.Result.DONE || b.rows() != inWindow) {
            throw new IllegalStateException("benchmark run did not archive the window: " + b);
        }
        System.out.printf("%s: export %.2f s, verify %.2f s, guarded delete %.2f s, %,d Parquet bytes%n", table,
                b.exportTime().toNanos() / 1e9, b.verifyTime().toNanos() / 1e9, b.deleteTime().toNanos() / 1e9, b.bytes());
        // The archived file verified again, alone, on one and on two decoding threads, alternating
        // so both see the same machine load.
        double one = Double.MAX_VALUE;
        double two = Double.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            one = Math.min(one, verifySeconds(root, 1));
            two = Math.min(two, verifySeconds(root, 2));
        }
        System.out.printf("%s: verify of the file alone, best of 2: %.2f s on 1 thread, %.2f s on 2 threads%n",
                table, one, two);

        // verify --deep, as the command runs it, against reading the same objects' bytes once from
        // the storage the archive is on: first the local directory it was archived to (where one
        // read is a copy out of the page cache), then a copy of the archive in a bucket of an S3
        // API server on this machine (s3proxy, as the integration tests use), where the baseline
        // is one GET of each object through the AWS SDK.
        double[] deepLocal = deepAgainstOneRead(storage, config, root, table, "local file storage (page cache)", null);
        double[] deepS3;
        Floor floor;
        try (io.pgfreezer.testing.S3ProxyServer s3 = io.pgfreezer.testing.S3ProxyServer.start()) {
            String bucket = s3.newBucket();
            StorageConfig s3Storage = s3.storageConfig(bucket);
            try (ObjectStorage local = ObjectStorages.open(storage); ObjectStorage remote = ObjectStorages.open(s3Storage)) {
                for (io.pgfreezer.storage.ObjectInfo info : local.list("")) {
                    if (info.key().startsWith(table + "/") || info.key().contains("manifest")) {
                        try (java.io.InputStream in = local.open(info.key());
                             io.pgfreezer.storage.ObjectOutput out = remote.create(info.key(), io.pgfreezer.storage.Precondition.NONE)) {
                            in.transferTo(out);
                            out.commit();
                        }
                    }
                }
            }
            try (software.amazon.awssdk.services.s3.S3Client client = s3.newClient()) {
                deepS3 = deepAgainstOneRead(s3Storage, config, root, table, "S3 (s3proxy on this machine; one GET per "
                        + "object through the AWS SDK)", key -> client.getObject(g -> g.bucket(bucket).key(key)));
                floor = floor(s3, client, bucket, root, table, valueDigest);
            }
        }
        // Best of two of each, alternating, so the three see the same machine load: on shared
        // cores one COPY of the same rows varies by half between runs.
        // The old baseline, kept for comparison: the same rows into a fresh table of the same shape and index.
        double freshCopyIn = Double.MAX_VALUE;
        // The baseline restore is held to: the same COPY into the archived table itself, in the
        // state restore then finds it in. Restore goes into a table whose index already holds the
        // window's keys and whose heap held its rows, and a fresh table is spared that work, so it
        // flattered the COPY. Every load into it starts right after a VACUUM of the window's
        // deleted rows: that is the table an operator restores into days after archiving
        // (autovacuum has run), and doing it here makes the state the same for each load instead
        // of depending on when autovacuum happened to get to it. Autovacuum is off for the table
        // meanwhile, so no load shares the machine with a vacuum an earlier one's rows triggered.
        double plainCopyIn = Double.MAX_VALUE;
        double restore = Double.MAX_VALUE;
        TableConfig tableConfig = config.tables().get(0);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + table + "_plain (LIKE " + table + " INCLUDING ALL)");
            st.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
            st.execute("ALTER TABLE " + table + "_plain SET (autovacuum_enabled = false)");
            st.execute("VACUUM " + table);
            for (int i = 0; i < 2; i++) {
                double fresh = copyIn(c, binary, table + "_plain");
                st.execute("TRUNCATE " + table + "_plain");
                double archived = copyIn(c, binary, table);
                emptyWindow(st, table, inWindow);
                double restored = restoreSeconds(storage, config, tableConfig, root, table, inWindow);
                if (i == 0) {
                    emptyWindow(st, table, inWindow);
                }
                System.out.printf("%s: plain COPY FROM STDIN (FORMAT binary) into a fresh table %.2f s, into the archived "
                        + "table %.2f s; restore into the archived table %.2f s%n", table, fresh, archived, restored);
                freshCopyIn = Math.min(freshCopyIn, fresh);
                plainCopyIn = Math.min(plainCopyIn, archived);
                restore = Math.min(restore, restored);
            }
        }
        return new Result(table, inWindow, copy, b.exportTime().toNanos() / 1e9, plainDelete,
                b.deleteTime().toNanos() / 1e9, peak, b.bytes(), b.verifyTime().toNanos() / 1e9, run,
                byHandExport + plainDelete, freshCopyIn, plainCopyIn, restore, one, two, deepLocal, deepS3,
                valueStreamBytes, valueDigest, floor);
    }

    /** The work every deep check of the table's archive does (see {@link Floor}), each part best of two. */
    private static Floor floor(io.pgfreezer.testing.S3ProxyServer s3, software.amazon.awssdk.services.s3.S3Client client,
                               String bucket, Path root, String table, double valueDigest) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.util.List<String> keys = new java.util.ArrayList<>();
        try (ObjectStorage local = ObjectStorages.open(new StorageConfig(StorageConfig.Protocol.FILE, null, root,
                Optional.empty(), "us-east-1", Optional.empty(), Optional.empty(), false))) {
            for (io.pgfreezer.manifest.BatchManifest m : new StorageManifestStore(local).list(table)) {
                if (m.parquetPath() != null) {
                    keys.add(m.parquetPath());
                }
            }
        }
        double getCpu = Double.MAX_VALUE;
        double pages = Double.MAX_VALUE;
        long bytes = 0;
        for (int round = 0; round < 2; round++) {
            long cpu = os.getProcessCpuTime();
            Duration server = s3.cpuTime();
            bytes = 0;
            for (String key : keys) {
                try (java.io.InputStream in = client.getObject(g -> g.bucket(bucket).key(key))) {
                    bytes += in.transferTo(OutputStream.nullOutputStream());
                }
            }
            getCpu = Math.min(getCpu, (os.getProcessCpuTime() - cpu) / 1e9 + s3.cpuTime().minus(server).toNanos() / 1e9);
            long start = System.nanoTime();
            for (String key : keys) {
                io.pgfreezer.format.PageScan.readAllPages(root.resolve(key));
            }
            pages = Math.min(pages, seconds(start));
        }
        Floor floor = new Floor(getCpu, sha256Seconds(bytes), pages, valueDigest);
        System.out.printf("%s: work every deep check does, in CPU seconds: one GET of the objects %.2f (this process "
                + "and the S3 server), SHA-256 of their %,d bytes %.2f, reading, CRC-checking and decompressing every "
                + "page %.2f, the value proof's SHA-256 %.2f; %.2f in all%n", table, floor.getCpu(), bytes,
                floor.objectSha(), floor.pages(), floor.valueDigest(), floor.total());
        return floor;
    }

    /**
     * verify --deep of the table's archive in {@code storage} against one read of every object it
     * checks, each best of two; {@code get} opens the baseline's read of a key, null to read it
     * through the storage. Returns the deep and the read seconds.
     */
    private static double[] deepAgainstOneRead(StorageConfig storage, FreezerConfig config, Path tempDir, String table,
                                               String where, java.util.function.Function<String, java.io.InputStream> get)
            throws Exception {
        double readOnce = Double.MAX_VALUE;
        double deepSeconds = Double.MAX_VALUE;
        long bytesRead = 0;
        try (ObjectStorage store = ObjectStorages.open(storage)) {
            for (int i = 0; i < 2; i++) {
                long start = System.nanoTime();
                bytesRead = 0;
                for (io.pgfreezer.manifest.BatchManifest m : new StorageManifestStore(store).list(table)) {
                    if (m.parquetPath() != null) {
                        try (java.io.InputStream in = get == null ? store.open(m.parquetPath()) : get.apply(m.parquetPath())) {
                            bytesRead += in.transferTo(java.io.OutputStream.nullOutputStream());
                        }
                    }
                }
                readOnce = Math.min(readOnce, seconds(start));
                start = System.nanoTime();
                io.pgfreezer.verify.ArchiveVerifier.Report deep = new io.pgfreezer.verify.ArchiveVerifier(store,
                        new StorageManifestStore(store), tempDir).verify(config.tables(),
                        new io.pgfreezer.verify.ArchiveVerifier.Options(null, null, true, 2),
                        io.pgfreezer.verify.ArchiveVerifier.Listener.NONE);
                deepSeconds = Math.min(deepSeconds, seconds(start));
                if (!deep.intact()) {
                    throw new IllegalStateException("benchmark archive in " + where + " did not verify as intact");
                }
            }
        }
        System.out.printf("%s: verify --deep %.2f s vs reading the objects' %,d bytes once %.2f s (ratio %.2f, goal <= 2), "
                + "best of 2, from %s%n", table, deepSeconds, bytesRead, readOnce, deepSeconds / readOnce, where);
        return new double[] {deepSeconds, readOnce};
    }

    /** Seconds one SHA-256 takes over {@code bytes} bytes held in memory, best of three. */
    private static double sha256Seconds(long bytes) throws Exception {
        byte[] block = new byte[1 << 20];
        new java.util.Random(1).nextBytes(block);
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            long start = System.nanoTime();
            for (long left = bytes; left > 0; left -= block.length) {
                sha.update(block, 0, (int) Math.min(left, block.length));
            }
            sha.digest();
            best = Math.min(best, seconds(start));
        }
        return best;
    }

    /** Deletes the window's rows from the archived table and vacuums them away, as after archiving. */
    private static void emptyWindow(Statement st, String table, long inWindow) throws Exception {
        long removed = st.executeUpdate("DELETE FROM " + table + " WHERE recorded_at >= '2024-01-15' "
                + "AND recorded_at < '2024-01-16'");
        if (removed != inWindow) {
            throw new IllegalStateException(table + " held " + removed + " rows of the window, not " + inWindow);
        }
        st.execute("VACUUM " + table);
    }

    /** pg-freezer's restore of the archived window into its own table, timed. */
    private static double restoreSeconds(StorageConfig storage, FreezerConfig config, TableConfig tableConfig, Path root,
                                         String table, long inWindow) {
        try (ObjectStorage store = ObjectStorages.open(storage); PostgresSource source = new PostgresSource(config.database());
             RestoreTarget target = source.openRestore(tableConfig, "public", table).orElseThrow()) {
            long start = System.nanoTime();
            Restorer.Report restored = new Restorer(store, new StorageManifestStore(store), root, Clock.systemUTC())
                    .restore(tableConfig, target, new Restorer.Options(DAY, DAY.plus(Duration.ofDays(1)), true, false, false),
                            Restorer.Listener.NONE);
            double took = seconds(start);
            Restorer.WindowResult w = restored.windows().get(0);
            if (w.outcome() != Restorer.Outcome.RESTORED || w.rows() != inWindow) {
                throw new IllegalStateException("benchmark restore did not restore the window: " + w);
            }
            return took;
        }
    }

    /** A plain binary COPY of the file into {@code table}, timed. */
    private static double copyIn(Connection c, Path binary, String table) throws Exception {
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(binary), 1 << 16)) {
            long start = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT binary)", in);
            return seconds(start);
        }
    }

    /** The benchmark table: one day of {@code rows} readings, the window every measurement exports. */
    private static void load(Statement st, String table, long rows) throws java.sql.SQLException {
        st.execute("CREATE TABLE " + table + " (recorded_at timestamptz NOT NULL, sensor_id int, "
                + "value double precision, unit text, payload jsonb)");
        st.execute(fill(table, rows));
    }

    /** Verification of one archived file alone, decoding on the given number of threads. */
    private static double verifySeconds(Path root, int threads) throws Exception {
        Path file;
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            // The window's file; the one row past its end has a file of its own.
            file = files.filter(p -> p.toString().endsWith(".parquet"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        long start = System.nanoTime();
        ParquetArchiveReader.verify(file, file.getFileName().toString(), threads);
        return seconds(start);
    }

    record Rss(long rows, long peakKiB, double seconds) {
    }

    private static void printRss(Rss million, Rss large) {
        System.out.printf("peak RSS of bin/pg-freezer run (launcher defaults), %,d rows vs %,d rows: %d MiB vs "
                + "%d MiB (ratio %.2f)%n", million.rows, large.rows, million.peakKiB >> 10,
                large.peakKiB >> 10, (double) large.peakKiB / million.peakKiB);
    }

    /**
     * Runs the packaged tool ({@code bin/pg-freezer run}, the launcher's default JVM flags) as a
     * child process on a table of its own and reads its peak resident set size (VmHWM) from
     * /proc while it runs; the launcher execs the JVM, so the child's pid is the JVM's.
     */
    private static Rss peakRss(EmbeddedPostgres pg, long rows) throws Exception {
        String table = "bench_rss_" + rows;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            load(st, table, rows);
            st.execute("CREATE INDEX ON " + table + " (recorded_at)");
            st.execute("VACUUM ANALYZE " + table);
        }
        Path dir = Files.createTempDirectory("pg-freezer-rss-");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                database:
                  dsn: "postgresql://postgres@localhost:%d/postgres"
                  pool_size: 2
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: %s
                    timestamp_column: recorded_at
                    partition_by: daily
                    lag: 1d
                global:
                  compression: snappy
                """.formatted(pg.getPort(), dir.resolve("archive"), table));
        ProcessBuilder pb = new ProcessBuilder(Path.of("bin/pg-freezer").toAbsolutePath().toString(), "run",
                "--config", config.toString());
        // The launcher's own defaults are what is measured.
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("PG_FREEZER_JAVA_OPTS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile());
        long start = System.nanoTime();
        Process child = pb.start();
        Path status = Path.of("/proc/" + child.pid() + "/status");
        long peak = 0;
        while (child.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                // The process ended between the check and the read: the last reading stands.
            }
            Thread.sleep(20);
        }
        int exit = child.waitFor();
        double took = seconds(start);
        if (exit != 0) {
            throw new IllegalStateException("pg-freezer run exited " + exit + ":\n" + Files.readString(dir.resolve("run.log")));
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            if (rs.getLong(1) != 0) {
                throw new IllegalStateException("pg-freezer run left " + rs.getLong(1) + " rows in " + table);
            }
        }
        System.out.printf("%s: pg-freezer run (child process) %.2f s, peak RSS %,d KiB%n", table, took, peak);
        return new Rss(rows, peak, took);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * The most heap found live right after a collection while the run went on: unlike the peak
     * of "used", it does not depend on how long the collector let garbage pile up.
     */
    private static final class LiveHeapSampler extends Thread {
        private volatile boolean running = true;
        private long max;

        LiveHeapSampler() {
            super("live-heap-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                        live += pool.getCollectionUsage().getUsed();
                    }
                }
                max = Math.max(max, live);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long stopAndGetMax() throws InterruptedException {
            running = false;
            join();
            return max;
        }
    }
}
