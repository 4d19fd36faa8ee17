package io.pgfreezer.quickstart;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded default behind {@code scripts/quickstart.sh}: starts a local PostgreSQL (no
 * Docker), loads sample sensor data with the data generator, archives it to a local directory
 * with the real {@code bin/pg-freezer}, and prints {@code status}.
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        Path work = repo.resolve(".quickstart");
        Path archive = work.resolve("archive");
        // Each quick start begins from an empty archive, as its database begins empty.
        deleteTree(archive);
        Files.createDirectories(archive);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String dsn = "postgresql://postgres@localhost:" + pg.getPort() + "/postgres";
            say("PostgreSQL " + dsn + " started (embedded)");
            Path config = work.resolve("config.yaml");
            Files.writeString(config, """
                    # Written by scripts/quickstart.sh: an embedded PostgreSQL and a local archive directory.
                    database:
                      dsn: "%s"
                      pool_size: 4
                      statement_timeout: 60s
                    storage:
                      protocol: file
                      path: "%s"
                    tables:
                      - name: sensor_readings
                        schema: public
                        timestamp_column: recorded_at
                        partition_by: daily
                        lag: 15d
                      - name: device_events
                        schema: public
                        timestamp_column: occurred_at
                        partition_by: hourly
                        lag: 6h
                    global:
                      max_table_concurrency: 2
                    """.formatted(dsn, archive));

            say("loading sample data (scripts/GenerateData.java --mode quick)");
            exec(repo, List.of(java(), "-cp", repo.resolve("target/pg-freezer.jar").toString(),
                    repo.resolve("scripts/GenerateData.java").toString(), "--mode", "quick", "--dsn", dsn));

            say("pg-freezer run -c " + repo.relativize(config));
            int run = exec(repo, List.of(repo.resolve("bin/pg-freezer").toString(), "run", "-c", config.toString()));
            say("pg-freezer status -c " + repo.relativize(config));
            exec(repo, List.of(repo.resolve("bin/pg-freezer").toString(), "status", "-c", config.toString()));
            say("archive written under " + repo.relativize(archive) + "; the database stops now. Try:\n"
                    + "  bin/pg-freezer list -c " + repo.relativize(config) + "\n"
                    + "  bin/pg-freezer fetch -c " + repo.relativize(config)
                    + " -t sensor_readings --from 2000-01-01 --to 2100-01-01 --format jsonl | head");
            System.exit(run);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int exec(Path dir, List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
        int code = p.waitFor();
        if (code != 0 && !cmd.contains("run")) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + code);
        }
        return code;
    }

    private static void say(String message) {
        System.out.println("==> " + message);
    }
}
