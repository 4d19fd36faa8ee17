package io.pgfreezer.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfreezer.cli.Main;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.BatchIds;
import io.pgfreezer.engine.IsoInstants;
import io.pgfreezer.engine.Window;
import io.pgfreezer.manifest.PythonStyleJson;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.pgfreezer.testing.S3ProxyServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code status}, {@code list --json} and a {@code run} with nothing to do, over one hourly table
 * of N DONE manifests written the way the original writes them, on a local S3 server (s3proxy):
 * first without a manifest index, then with the one the first run wrote. Every command runs
 * in-process through the real command line, so the times exclude JVM start-up but include
 * config loading and opening storage. Run with {@code scripts/benchmark-manifests.sh [N...]}.
 */
public final class ManifestBenchmark {
    static final String TABLE = "bench_hourly";
    private static final Instant FIRST = Instant.parse("2014-01-01T00:00:00Z");
    /** Selects the s3proxy backend ({@code filesystem}, {@code transient}, ...). */
    static final String PROVIDER_PROPERTY = "pgfreezer.s3proxy.provider";
    /**
     * Every s3proxy backend costs time per key under the requested prefix on each listing request
     * (see {@link ListingBenchmark}), where real S3 answers a 1,000-key page in tens of
     * milliseconds whatever the prefix holds. At 100,000 keys a page of one hex digit's prefix,
     * which is what the tool asks for, took 1.2 s on the file-system backend and 7.9 s in memory
     * (whose cost grows with the whole directory), so the file-system backend is the closer one;
     * it can also be filled in seconds.
     */
    static final S3ProxyServer.Provider DEFAULT_PROVIDER = S3ProxyServer.Provider.FILESYSTEM;
    /**
     * Above this many manifests the commands without an index are left out but for the run that
     * writes the index: each reads every manifest, minutes at 100,000 on this server.
     */
    private static final int UNINDEXED_UP_TO = 20_000;

    private ManifestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = sizes(args);
        System.out.printf("java %s, max heap %d MiB, %d cores, %s=%s%n", Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
                StorageManifestStore.PARALLELISM_VARIABLE,
                System.getenv().getOrDefault(StorageManifestStore.PARALLELISM_VARIABLE, "unset (32)"));
        S3ProxyServer.Provider provider = S3ProxyServer.Provider.named(
                System.getProperty(PROVIDER_PROPERTY, DEFAULT_PROVIDER.property()));
        System.out.printf("s3proxy backend %s%n", provider.property());
        List<String> rows = new ArrayList<>();
        try (S3ProxyServer s3 = S3ProxyServer.start(provider);
             EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                // Empty: every window is already archived, so the run has nothing to export.
                st.execute("CREATE TABLE " + TABLE + " (recorded_at timestamptz NOT NULL, value double precision)");
                st.execute("CREATE INDEX ON " + TABLE + " (recorded_at)");
            }
            // Warm-up, so the first measured size does not pay for class loading and the JIT.
            measure(s3, pg, 500, null);
            for (int n : sizes) {
                measure(s3, pg, n, rows);
            }
        }
        System.out.println();
        System.out.printf("%-9s %-26s %12s %12s%n", "manifests", "command", "no index s", "with index s");
        rows.forEach(System.out::println);
    }

    private static S3ProxyServer server;

    private static void measure(S3ProxyServer s3, EmbeddedPostgres pg, int n, List<String> report) throws Exception {
        server = s3;
        String bucket = s3.newBucket();
        Path config = writeConfig(s3, pg, bucket);
        long start = System.nanoTime();
        String how = upload(s3, bucket, n);
        System.out.printf("%,d manifests: stored in %.1f s (%s)%n", n, seconds(start), how);

        boolean unindexed = n <= UNINDEXED_UP_TO;
        double status1 = unindexed ? timed(config, "status") : Double.NaN;
        double list1 = unindexed ? timed(config, "list", "--json") : Double.NaN;
        // This run finds no index, plans from every manifest and writes the index at its end.
        double run1 = timed(config, "run");
        double status2 = timed(config, "status");
        double list2 = timed(config, "list", "--json");
        double list3 = timed(config, "list", "--json");
        double run2 = timed(config, "run");
        // Where the indexed time goes: the key listing alone, paginated as every command does it.
        double listing;
        double indexGet;
        try (ObjectStorage storage = ObjectStorages.open(s3.storageConfig(bucket))) {
            long t = System.nanoTime();
            // One page after another costs minutes at 100,000 keys on this server: small sizes only.
            if (unindexed) {
                int keys = storage.list(StorageManifestStore.ROOT + TABLE + "/").size();
                listing = seconds(t);
                System.out.printf("  key listing alone (one page after another): %,d keys in %.2f s%n", keys, listing);
            } else {
                listing = Double.NaN;
            }
            t = System.nanoTime();
            int indexBytes = storage.get(StorageManifestStore.indexKey(TABLE)).map(b -> b.length).orElse(0);
            indexGet = seconds(t);
            System.out.printf("  index GET alone: %,d bytes in %.2f s%n", indexBytes, indexGet);
        }
        // A rebuild costs what the first listing did; at the largest size it is left out to save time.
        double rebuild = unindexed ? timed(config, "status", "--rebuild-index") : Double.NaN;
        if (report != null) {
            report.add(row(n, "key listing, in sequence", listing, Double.NaN));
            report.add(row(n, "index GET only", Double.NaN, indexGet));
            report.add(row(n, "status", status1, status2));
            report.add(row(n, "list --json", list1, list2));
            report.add(row(n, "list --json again", Double.NaN, list3));
            report.add(row(n, "run (no work)", run1, run2));
            report.add(row(n, "status --rebuild-index", rebuild, Double.NaN));
        }
    }

    /** Not measured (NaN) shows as "-". */
    private static String row(int n, String what, double noIndex, double withIndex) {
        return String.format("%,9d %-26s %12s %12s", n, what, cell(noIndex), cell(withIndex));
    }

    private static String cell(double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format("%.2f", seconds);
    }

    /** Runs one command through the real command line; its stdout must be what it should be. */
    private static double timed(Path config, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.add("--config");
        args.add(config.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long toolCpu = os.getProcessCpuTime();
        Duration serverCpu = server.cpuTime();
        long start = System.nanoTime();
        int exit = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args.toArray(String[]::new));
        double s = seconds(start);
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ": " + err + out);
        }
        // On a shared machine the wall time includes waiting for a core: CPU used says whose work it was.
        System.out.printf("  %-24s %7.2f s  (CPU: tool %.2f s, S3 server %.2f s; %,d bytes of output; load %.1f)%n",
                String.join(" ", command), s, (os.getProcessCpuTime() - toolCpu) / 1e9,
                server.cpuTime().minus(serverCpu).toMillis() / 1e3, out.getBuffer().length(), os.getSystemLoadAverage());
        return s;
    }

    /** DONE manifests with exactly the original's fifteen fields, in its order and layout. */
    private static String upload(S3ProxyServer s3, String bucket, int n) throws Exception {
        try (ObjectStorage storage = ObjectStorages.open(s3.storageConfig(bucket))) {
            return ManifestObjects.fill(s3, bucket, storage, n, i -> StorageManifestStore.key(TABLE, id(window(i))),
                    i -> originalManifest(id(window(i)), window(i)));
        }
    }

    static Window window(int i) {
        return Window.containing(FIRST.plus(Duration.ofHours(i)), Granularity.HOURLY);
    }

    static String id(Window w) {
        return BatchIds.of("public", TABLE, w);
    }

    static byte[] originalManifest(String id, Window w) {
        Instant exported = w.end().plus(Duration.ofDays(2));
        ObjectNode n = PythonStyleJson.object();
        n.put("version", 1);
        n.put("batch_id", id);
        n.put("table", TABLE);
        n.put("schema_name", "public");
        n.put("partition", w.partition());
        n.put("window_start", IsoInstants.format(w.start()));
        n.put("window_end", IsoInstants.format(w.end()));
        n.put("status", "DONE");
        n.put("row_count", 3_600);
        n.put("parquet_path", TABLE + "/" + w.partition() + "/data.parquet");
        n.put("parquet_size_bytes", 48_213);
        n.put("exported_at", IsoInstants.formatMicros(exported));
        n.put("verified_at", IsoInstants.formatMicros(exported.plusSeconds(3)));
        n.put("deleted_at", IsoInstants.formatMicros(exported.plusSeconds(5)));
        n.putNull("error");
        return PythonStyleJson.write(n).getBytes(StandardCharsets.UTF_8);
    }

    private static Path writeConfig(S3ProxyServer s3, EmbeddedPostgres pg, String bucket) throws Exception {
        Path file = Files.createTempFile("pg-freezer-manifest-bench-", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, String.join("\n",
                "database:",
                "  dsn: postgresql://postgres@localhost:" + pg.getPort() + "/postgres",
                "storage:",
                "  protocol: s3",
                "  endpoint_url: " + s3.endpoint(),
                "  bucket: " + bucket,
                "  access_key: " + s3.accessKey(),
                "  secret_key: " + s3.secretKey(),
                "  path_style: true",
                "  region: " + S3ProxyServer.REGION,
                "tables:",
                "  - name: " + TABLE,
                "    timestamp_column: recorded_at",
                "    partition_by: hourly",
                "    lag: 1d",
                ""));
        return file;
    }

    /** The manifest counts given on the command line, 10,000 and 100,000 when none is. */
    static List<Integer> sizes(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        return sizes.isEmpty() ? List.of(10_000, 100_000) : sizes;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
