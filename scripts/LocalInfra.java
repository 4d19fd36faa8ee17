/*
 * Local development infrastructure without Docker: a real PostgreSQL (embedded binaries) on
 * localhost:5432 and an S3 API server (s3proxy, filesystem-backed) on localhost:9000 with the
 * same credentials and bucket as docker-compose.yml, so scripts/config.dev.yaml works unchanged.
 *
 * Started in the background by 'task infra:up:local' (scripts/local-infra.sh); runs until SIGTERM.
 *   java -cp <test classpath> scripts/LocalInfra.java <state dir> <s3proxy jar>
 * Ports: PG_PORT (5432) and S3_PORT (9000). Data stays in <state dir> across restarts.
 */

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

public class LocalInfra {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LocalInfra <state dir> <s3proxy jar>");
            System.exit(2);
        }
        Path state = Path.of(args[0]).toAbsolutePath();
        Path s3proxyJar = Path.of(args[1]).toAbsolutePath();
        int pgPort = port("PG_PORT", 5432);
        int s3Port = port("S3_PORT", 9000);
        Path pgData = Files.createDirectories(state.resolve("pgdata"));
        // The filesystem backend serves each directory under its base as a bucket.
        Path s3Data = Files.createDirectories(state.resolve("s3"));
        Files.createDirectories(s3Data.resolve("pg-freezer"));
        Path ready = state.resolve("ready");
        Files.deleteIfExists(ready);

        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(pgPort)
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .start();

        Path properties = state.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + s3Port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=minioadmin",
                "s3proxy.credential=minioadmin",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + s3Data,
                ""));
        Process s3proxy = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", s3proxyJar.toString(), "--properties", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(state.resolve("s3proxy.log").toFile())
                .start();

        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            try {
                Files.deleteIfExists(ready);
                s3proxy.destroy();
                s3proxy.waitFor(10, TimeUnit.SECONDS);
                postgres.close();
            } catch (IOException | InterruptedException e) {
                System.err.println("while stopping: " + e);
            }
        }));

        if (!listening(s3Port, 60)) {
            System.err.println("error: the S3 server did not start on port " + s3Port + "; see " + state.resolve("s3proxy.log"));
            System.exit(1);
        }
        Files.writeString(ready, "postgresql://postgres:postgres@localhost:" + pgPort + "/postgres\nhttp://localhost:" + s3Port + "\n");
        System.out.println("PostgreSQL on localhost:" + pgPort + " (postgres/postgres), S3 on http://localhost:" + s3Port
                + " (minioadmin/minioadmin, bucket pg-freezer); data in " + state);
        s3proxy.waitFor();
        if (!stopping.get()) {
            System.err.println("error: the S3 server exited (code " + s3proxy.exitValue() + "); see " + state.resolve("s3proxy.log"));
            System.exit(1);
        }
    }

    static int port(String variable, int fallback) {
        String v = System.getenv(variable);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    static boolean listening(int port, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        return false;
    }
}
