package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.pgfreezer.cli.BinaryEndToEndIT.launcher;
import static io.pgfreezer.cli.BinaryEndToEndIT.pgFreezer;
import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 of the packaged binary in the middle of a restore's COPY. */
class RestoreKillIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killNineMidCopyLeavesNoRowOfTheWindowAndTheNextRestoreRestoresItFully() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value numeric(10,3), "
                        + "payload jsonb)",
                "INSERT INTO sensor_readings SELECT t, (extract(epoch FROM t)::bigint % 97)::int, "
                        + "(extract(epoch FROM t)::bigint % 100000) / 1000.0, '{\"a\": 1}' FROM generate_series("
                        + "timestamptz '2024-01-05 00:00:00+00', timestamptz '2024-01-05 23:59:59.9+00', interval '100 ms') t",
                "CREATE TABLE sensor_before AS SELECT * FROM sensor_readings");
        long rows = f.count("SELECT count(*) FROM sensor_readings");
        Path config = BinaryEndToEndIT.config(f.dsn, f.root, "");
        BinaryEndToEndIT.Result archived = pgFreezer(Map.of(), "run", "-c", config.toString());
        assertThat(archived.exit()).as(archived.stderr()).isZero();
        assertThat(f.count("SELECT count(*) FROM sensor_readings")).isZero();

        Path log = Files.createTempFile("pg-freezer-restore-", ".log");
        Process restore = launcher(Map.of(), "restore", "-c", config.toString(), "-t", "sensor_readings",
                "--from", "2024-01-05", "--to", "2024-01-06").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long copied = 0;
        while (copied == 0 && restore.isAlive() && System.nanoTime() < deadline) {
            copied = f.count("SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy WHERE command = 'COPY FROM'");
        }
        assertThat(copied).as("COPY under way before the kill; log: %s", Files.readString(log)).isPositive();

        restore.destroyForcibly();
        assertThat(restore.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(restore.exitValue()).isEqualTo(137);
        // The server ends the dead client's transaction, and with it its lock, when it notices the socket closed.
        while (f.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg-freezer'") > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(copied).isLessThan(rows);
        assertThat(f.count("SELECT count(*) FROM sensor_readings")).isZero();
        JsonNode manifest = windowManifest(f.root);
        assertThat(manifest.get("restore_txid").isIntegralNumber()).isTrue();
        assertThat(manifest.get("restored_at").isNull()).isTrue();

        // The interrupted restore is not mistaken for late rows, or for a restore that finished.
        BinaryEndToEndIT.Result run = pgFreezer(Map.of(), "run", "-c", config.toString());
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(listParquet(f.root)).hasSize(1);

        BinaryEndToEndIT.Result again = pgFreezer(Map.of(), "restore", "-c", config.toString(), "-t", "sensor_readings",
                "--from", "2024-01-05", "--to", "2024-01-06");

        assertThat(again.exit()).as(again.stdout() + again.stderr()).isZero();
        assertThat(again.stdout()).contains(String.format("1 window(s) restored (%,d rows)", rows));
        assertThat(f.count("SELECT count(*) FROM sensor_readings")).isEqualTo(rows);
        assertThat(f.count("SELECT count(*) FROM (SELECT x::text FROM sensor_readings x EXCEPT ALL "
                + "SELECT y::text FROM sensor_before y) d")).isZero();
        JsonNode restored = windowManifest(f.root);
        assertThat(restored.get("restored_at").isTextual()).isTrue();
        assertThat(restored.get("restored_rows").asLong()).isEqualTo(rows);
        assertThat(restored.get("restore_txid").asLong()).isNotEqualTo(manifest.get("restore_txid").asLong());
    }

    private static JsonNode windowManifest(Path root) throws Exception {
        try (Stream<Path> files = Files.list(root.resolve("_manifests/sensor_readings"))) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return JSON.readTree(Files.readString(all.get(0)));
        }
    }

    private static List<Path> listParquet(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root.resolve("sensor_readings"))) {
            return files.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }
}
