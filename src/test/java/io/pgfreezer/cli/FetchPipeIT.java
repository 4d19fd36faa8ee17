package io.pgfreezer.cli;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.CountingTcpProxy;
import io.pgfreezer.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg-freezer fetch ... | head}: the packaged binary writes into a pipe whose reader stops
 * after the first line. Its S3 traffic goes through a counting proxy, so the test sees which
 * objects the process still downloaded after the reader had gone.
 */
class FetchPipeIT {
    private static final int HOURS = 48;

    @Test
    void aClosedPipeStopsFetchAtOnceQuietlyAndNoFurtherFileIsDownloaded() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        String bucket = s3.newBucket();
        ArchiveFixture f = ArchiveFixture.s3(bucket).table("readings", "recorded_at", Granularity.HOURLY, Duration.ofHours(1));
        // Each hour writes far more CSV than a pipe and the output buffer hold together, so the
        // reader's departure is noticed inside the first partition.
        f.sql("CREATE TABLE readings (recorded_at timestamptz NOT NULL, sensor_id int, note text)",
                "INSERT INTO readings SELECT '2024-03-01'::timestamptz + (i * interval '1 second') * (3600.0 * "
                        + HOURS + " / 100000), i % 7, repeat('x', 60) || i FROM generate_series(0, 99999) i");
        f.runAll();
        assertThat(f.manifests("readings")).hasSize(HOURS);

        try (CountingTcpProxy proxy = new CountingTcpProxy(URI.create(s3.endpoint()).getPort())) {
            Path config = Files.writeString(Files.createTempFile("pg-freezer-pipe-", ".yaml"), """
                    database:
                      dsn: "postgresql://nobody@127.0.0.1:1/none"
                    storage:
                      protocol: s3
                      endpoint_url: "%s"
                      bucket: %s
                      access_key: "%s"
                      secret_key: "%s"
                      path_style: true
                    tables:
                      - name: readings
                        timestamp_column: recorded_at
                        partition_by: hourly
                    """.formatted(proxy.endpoint(), bucket, s3.accessKey(), s3.secretKey()));
            Path err = Files.createTempFile("pg-freezer-pipe-err-", ".txt");
            Process p = BinaryEndToEndIT.launcher(Map.of(), "fetch", "-c", config.toString(), "-t", "readings",
                    "--from", "2024-03-01", "--to", "2024-03-03").redirectError(err.toFile()).start();

            BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(stdout.readLine()).as("the CSV header").startsWith("recorded_at");
            assertThat(stdout.readLine()).as("a first row").startsWith("2024-03-01");
            long downloadsWhenClosed = downloads(proxy);
            long closed = System.nanoTime();
            stdout.close();

            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("fetch ended after its reader went away").isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - closed);
            String stderr = Files.readString(err);
            assertThat(p.exitValue()).as(stderr).isIn(0, 141);
            assertThat(took).as("time from closing the pipe to the end of the process").isLessThan(Duration.ofSeconds(2));
            assertThat(stderr).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("error");
            assertThat(downloads(proxy)).as("files downloaded in all; one was being read when the pipe closed")
                    .isEqualTo(downloadsWhenClosed).isLessThan(HOURS);
        }
    }

    private static long downloads(CountingTcpProxy proxy) {
        return proxy.requests().stream().filter(r -> r.isWholeObjectGet("/readings/") && r.line().contains(".parquet"))
                .count();
    }
}
