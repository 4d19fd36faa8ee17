package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import io.pgfreezer.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged binary, started through bin/pg-freezer as an operator or a CronJob starts it. */
class BinaryEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exit, String stdout, String stderr) {
    }

    /** bin/pg-freezer with the packaged jar and JSON logs, as a CronJob would start it. */
    static ProcessBuilder launcher(Map<String, String> env, String... args) {
        Path jar = Path.of(System.getProperty("pgfreezer.shaded.jar")).toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(jar.getParent().getParent().resolve("bin/pg-freezer").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PG_FREEZER_JAR", jar.toString());
        pb.environment().put("LOG_FORMAT", "json");
        pb.environment().putAll(env);
        return pb;
    }

    static Result pgFreezer(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile("pg-freezer-out-", ".txt");
        Path err = Files.createTempFile("pg-freezer-err-", ".txt");
        Process p = launcher(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Five days of hourly readings, and a config archiving the daily windows older than two days. */
    static Path sensorTable(ArchiveFixture f, String extraGlobal) throws IOException {
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value numeric(10,3), "
                        + "payload jsonb)",
                "INSERT INTO sensor_readings SELECT t, 3, 1.125, '{\"a\": 1}' FROM generate_series("
                        + "now() - interval '5 days', now(), interval '1 hour') t");
        return config(f.dsn, f.root, extraGlobal);
    }

    static Path config(String dsn, Path root, String extraGlobal) throws IOException {
        Path config = Files.createTempFile("pg-freezer-", ".yaml");
        Files.writeString(config, """
                database:
                  dsn: "%s"
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: sensor_readings
                    timestamp_column: recorded_at
                    partition_by: daily
                    lag: 2d
                global:
                  %s
                """.formatted(dsn, root, extraGlobal));
        return config;
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"snappy", "zstd", "gzip", "none"})
    void thePackagedBinaryArchivesWithEveryCodecAndStatusReportsIt(String codec) throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        Path config = sensorTable(f, "compression: " + codec);
        long archivable = f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < "
                + "date_trunc('day', now() - interval '2 days')");

        Result run = pgFreezer(Map.of(), "run", "-c", config.toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr().lines()).allSatisfy(line -> assertThat(JSON.readTree(line).has("event")).isTrue());
        List<List<String>> rows = DuckDb.rows("SELECT count(*), sum(value) FROM " + DuckDb.table(f.root, "sensor_readings"));
        assertThat(rows.get(0).get(0)).isEqualTo(String.valueOf(archivable));
        assertThat(DuckDb.rows("SELECT DISTINCT compression FROM parquet_metadata('" + f.root
                + "/sensor_readings/**/*.parquet')")).containsExactly(
                        List.of(codec.equals("none") ? "UNCOMPRESSED" : codec.toUpperCase()));

        Result status = pgFreezer(Map.of(), "status", "-c", config.toString(), "--json");
        assertThat(status.exit()).isZero();
        JsonNode table = JSON.readTree(status.stdout()).get(0);
        assertThat(table.get("table").asText()).isEqualTo("public.sensor_readings");
        assertThat(table.get("status_counts").get("DONE").asInt()).isEqualTo(table.get("total_batches").asInt());
    }

    @Test
    void theArchiveRunsOnJava25Too() throws Exception {
        Path java25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(java25), "no Java 25 installed at " + java25);
        ArchiveFixture f = ArchiveFixture.local();
        Path config = sensorTable(f, "compression: zstd");

        Result run = pgFreezer(Map.of("JAVA_HOME", java25.toString()), "run", "-c", config.toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).doesNotContain("WARNING");
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < "
                + "date_trunc('day', now() - interval '2 days')")).isZero();
        assertThat(DuckDb.rows("SELECT count(*) > 0 FROM " + DuckDb.table(f.root, "sensor_readings")))
                .containsExactly(List.of("true"));
    }

    @Test
    void aConnectionFailureIsOneLineExitOneAndThePasswordAppearsNowhere() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        f.sql("CREATE ROLE archiver LOGIN PASSWORD 'right-password'");
        String port = f.dsn.replaceAll(".*localhost:(\\d+)/.*", "$1");
        String db = f.dsn.substring(f.dsn.lastIndexOf('/') + 1);
        Path config = config("${PG_DSN}", f.root, "max_table_concurrency: 1");
        // The embedded server trusts local connections, so refuse by naming a database that does not exist.
        String secret = "Sup3r%2Fs3cret";
        Result run = pgFreezer(Map.of("PG_DSN", "postgresql://archiver:" + secret + "@localhost:" + port + "/missing_" + db),
                "run", "-c", config.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr().lines().filter(l -> l.startsWith("error:")).toList()).hasSize(1);
        assertThat(run.stderr()).doesNotContain("Sup3r").doesNotContain("s3cret").doesNotContain("Exception\n\tat ");
    }

    /** Cron alerting tells "retry later" from "an operator must look" by the exit code alone. */
    @Test
    void anUnreachableDatabaseOrStorageExitsSeventyFiveNotOne() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        Path noDatabase = config("postgresql://nobody@127.0.0.1:1/none", f.root, "max_table_concurrency: 1");

        Result db = pgFreezer(Map.of(), "run", "-c", noDatabase.toString());

        assertThat(db.exit()).as(db.stderr()).isEqualTo(75);
        assertThat(db.stderr().lines().filter(l -> l.startsWith("error:")).toList()).singleElement().asString()
                .contains("cannot connect to PostgreSQL", "temporary");

        Path sensors = sensorTable(f, "max_table_concurrency: 1");
        Path noStorage = Files.writeString(Files.createTempFile("pg-freezer-", ".yaml"), Files.readString(sensors)
                .replaceAll("storage:\\n  protocol: file\\n  path: \"[^\"]*\"",
                        "storage:\n  protocol: s3\n  endpoint_url: \"http://127.0.0.1:1\"\n  bucket: b\n"
                                + "  access_key: a\n  secret_key: s\n  path_style: true"));
        assertThat(Files.readString(noStorage)).contains("http://127.0.0.1:1");

        Result storage = pgFreezer(Map.of(), "run", "-c", noStorage.toString());

        assertThat(storage.exit()).as(storage.stderr()).isEqualTo(75);
        assertThat(storage.stderr()).doesNotContain("\tat ");
        assertThat(f.count("SELECT count(*) FROM sensor_readings")).as("nothing deleted").isEqualTo(121);
    }

    @Test
    void statusAndListReadABucketTheOriginalToolFilled() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        String bucket = s3.newBucket();
        try (var client = s3.newClient()) {
            for (String name : List.of("original-manifest-done-e4ad1b2a27064d51.json",
                    "original-manifest-failed-8eb87d3fb955c751.json")) {
                try (InputStream in = getClass().getResourceAsStream("/io/pgfreezer/manifest/" + name)) {
                    byte[] body = in.readAllBytes();
                    String table = name.contains("done") ? "sensor_readings" : "device_events";
                    String id = name.replaceAll(".*-([0-9a-f]{16})\\.json", "$1");
                    client.putObject(b -> b.bucket(bucket).key("_manifests/" + table + "/" + id + ".json"),
                            software.amazon.awssdk.core.sync.RequestBody.fromBytes(body));
                }
            }
        }
        Path config = Files.createTempFile("pg-freezer-", ".yaml");
        Files.writeString(config, """
                database:
                  dsn: "postgresql://nobody@127.0.0.1:1/none"
                storage:
                  protocol: s3
                  endpoint_url: "%s"
                  bucket: %s
                  access_key: "${S3_ACCESS_KEY}"
                  secret_key: "${S3_SECRET_KEY}"
                  path_style: true
                tables:
                  - name: sensor_readings
                    timestamp_column: recorded_at
                  - name: device_events
                    timestamp_column: occurred_at
                    partition_by: monthly
                """.formatted(s3.endpoint(), bucket));
        Map<String, String> keys = Map.of("S3_ACCESS_KEY", s3.accessKey(), "S3_SECRET_KEY", s3.secretKey());

        Result status = pgFreezer(keys, "status", "-c", config.toString(), "--json");
        Result list = pgFreezer(keys, "list", "-c", config.toString(), "--json");
        Result human = pgFreezer(keys, "list", "-c", config.toString());

        assertThat(status.exit()).as(status.stderr()).isZero();
        JsonNode tables = JSON.readTree(status.stdout());
        assertThat(tables.get(0).get("total_batches").asInt()).isEqualTo(1);
        assertThat(tables.get(0).get("status_counts").get("DONE").asInt()).isEqualTo(1);
        assertThat(tables.get(0).get("latest_window").asText()).isEqualTo("2024-01-15T00:00:00+00:00");
        assertThat(tables.get(1).get("status_counts").get("FAILED").asInt()).isEqualTo(1);
        JsonNode rows = JSON.readTree(list.stdout());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("row_count").asLong()).isEqualTo(12500);
        assertThat(rows.get(0).get("size_bytes").asLong()).isEqualTo(46080);
        assertThat(rows.get(1).get("error").asText()).isNotBlank();
        assertThat(human.stdout()).contains("year=2024/month=01/day=15", "12,500", "45 KB", "FAILED",
                "error: Verification failed: S3 Parquet has 9800 rows, expected 10000",
                "2 partition(s)  12,500 rows  45 KB");
        assertThat(status.stderr() + list.stderr()).doesNotContain(s3.secretKey());
    }

    @Test
    void daemonModeStopsCleanlyOnSigtermBetweenBatches() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        Path config = sensorTable(f, "check_interval: 1s");
        Path err = Files.createTempFile("pg-freezer-daemon-", ".log");
        Process p = launcher(Map.of(), "run", "--daemon", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(err).contains("next check in") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(err)).contains("next check in");

        p.destroy();

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
        assertThat(p.exitValue()).isIn(0, 143);
        try (Stream<Path> manifests = Files.list(f.root.resolve("_manifests/sensor_readings"))) {
            for (Path m : manifests.toList()) {
                assertThat(JSON.readTree(Files.readString(m, StandardCharsets.UTF_8)).get("status").asText())
                        .isEqualTo("DONE");
            }
        }
    }
}
