package io.pgfreezer.cli;

import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged binary on one window of five million rows with a 256 MiB heap: killed with
 * SIGKILL in the middle of the export, then run again to completion. Every row ends up in the
 * archive exactly once and nowhere else.
 */
class LargeWindowIT {
    static final long ROWS = 5_000_000;

    @Test
    void aFiveMillionRowWindowArchivesWithA256MiBHeapAndSurvivesAKillDuringExport() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        f.sql("CREATE TABLE readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, "
                        + "unit text, payload jsonb)",
                "INSERT INTO readings SELECT timestamptz '2024-01-15 00:00+00' + (n * interval '17 milliseconds'), "
                        + "n % 8, n * 0.5, 'celsius', jsonb_build_object('n', n) FROM generate_series(1, " + ROWS + ") n",
                "CREATE INDEX ON readings (recorded_at)");
        Path config = Files.createTempFile("pg-freezer-large-", ".yaml");
        Files.writeString(config, """
                database:
                  dsn: "%s"
                  statement_timeout: 0s
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: readings
                    timestamp_column: recorded_at
                    partition_by: daily
                    lag: 1d
                global:
                  delete_chunk_rows: 200000
                """.formatted(f.dsn, f.root));

        Process first = launch(config);
        Path staging = f.root.resolve("readings/year=2024/month=01/day=15");
        // Kill once the export has been streaming for a while: its temp file is growing.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (stagedBytes(staging) < 8 << 20 && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(first.isAlive()).as("still exporting when killed").isTrue();
        first.destroyForcibly().waitFor();
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(ROWS);

        Process second = launch(config);
        assertThat(second.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String output = new String(second.getInputStream().readAllBytes());
        assertThat(second.exitValue()).as(output).isZero();

        assertThat(f.count("SELECT count(*) FROM readings")).isZero();
        try (Stream<Path> files = Files.list(staging)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("data.parquet");
        }
        List<List<String>> counts = DuckDb.rows("SELECT count(*), count(DISTINCT recorded_at), sum(sensor_id) FROM "
                + DuckDb.table(f.root, "readings"));
        long sensorSum = 0;
        for (long n = 1; n <= ROWS; n++) {
            sensorSum += n % 8;
        }
        assertThat(counts.get(0)).containsExactly(String.valueOf(ROWS), String.valueOf(ROWS), String.valueOf(sensorSum));
    }

    private static long stagedBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static Process launch(Path config) throws IOException {
        Path jar = Path.of(System.getProperty("pgfreezer.shaded.jar")).toAbsolutePath();
        Path launcher = jar.getParent().getParent().resolve("bin/pg-freezer");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", "-c", config.toString())
                .redirectErrorStream(true);
        pb.environment().put("PG_FREEZER_JAR", jar.toString());
        pb.environment().put("PG_FREEZER_JAVA_OPTS", "-Xmx256m");
        pb.environment().put("LOG_FORMAT", "console");
        return pb.start();
    }

}
