package io.pgfreezer.cli;

import com.sun.net.httpserver.HttpServer;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.Archiver;
import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.ProgressListener;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.engine.StopSignal;
import io.pgfreezer.engine.Window;
import io.pgfreezer.format.ParquetFormat;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.metrics.PrometheusText;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run} as the command wires it, against a real PostgreSQL: metrics files, pushes and progress. */
class ArchiveRunnerMetricsIT {
    static final String TABLE = "public.sensor_readings";
    static final Map<String, String> OF_TABLE = Map.of("table", TABLE);
    static final String ARCHIVABLE = "SELECT count(*) FROM sensor_readings WHERE recorded_at < date_trunc('day', now()) - interval '1 day'";

    record Push(String method, String path, String body) {
    }

    @TempDir
    Path dir;

    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private HttpServer pushgateway;

    @AfterEach
    void stopPushgateway() {
        if (pushgateway != null) {
            pushgateway.stop(0);
        }
    }

    private URI startPushgateway() throws IOException {
        pushgateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pushgateway.createContext("/", exchange -> {
            pushes.add(new Push(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        pushgateway.start();
        return URI.create("http://127.0.0.1:" + pushgateway.getAddress().getPort());
    }

    /** The command runs on the system clock: five closed days of rows, then a day still inside the lag. */
    static ArchiveFixture sensorReadings(Optional<Path> textfile, Optional<URI> pushgatewayUrl) {
        ArchiveFixture f = ArchiveFixture.local()
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(1))
                .global(g -> new GlobalConfig(g.maxTableConcurrency(), g.dryRun(), g.checkInterval(), g.compression(),
                        g.deleteChunkRows(), g.webhookUrl(), new GlobalConfig.Metrics(textfile, pushgatewayUrl, "pg_freezer")));
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, note text)",
                "INSERT INTO sensor_readings SELECT t, n % 7, 'reading ' || n FROM generate_series("
                        + "date_trunc('day', now()) - interval '6 days', now() - interval '1 minute', "
                        + "interval '10 minutes') WITH ORDINALITY AS g(t, n)");
        return f;
    }

    static int run(FreezerConfig config) {
        return ArchiveRunner.execute(config, RunOptions.run(Optional.empty(), false, false), false,
                new PrintWriter(new StringWriter()));
    }

    @Test
    void theTextfileAndThePushgatewayReceiveTheRowsAndBatchesOfTheRun() throws IOException {
        Path textfile = dir.resolve("node_exporter/pg_freezer.prom");
        ArchiveFixture f = sensorReadings(Optional.of(textfile), Optional.of(startPushgateway()));
        long archivable = f.count(ARCHIVABLE);

        int exitCode = run(f.config());

        assertThat(exitCode).isZero();
        assertThat(f.count(ARCHIVABLE)).isZero();
        List<BatchManifest> manifests = f.manifests("sensor_readings");
        Map<String, PrometheusText.Family> file = PrometheusText.parse(Files.readString(textfile));
        assertThat(file.get("pg_freezer_last_run_archived_rows").value(OF_TABLE)).isEqualTo(archivable);
        assertThat(file.get("pg_freezer_last_run_batches").value(Map.of("table", TABLE, "status", "done")))
                .isEqualTo(manifests.size()).isEqualTo(5);
        assertThat(file.get("pg_freezer_last_run_archived_bytes").value(OF_TABLE))
                .isEqualTo(manifests.stream().mapToLong(BatchManifest::parquetSizeBytes).sum());
        assertThat(file.get("pg_freezer_last_run_success").value(OF_TABLE)).isEqualTo(1);
        assertThat(file.get("pg_freezer_archived_rows_total").value(OF_TABLE)).isEqualTo(archivable);
        assertThat(file.get("pg_freezer_backlog_rows").value(OF_TABLE)).isZero();
        assertThat(file.get("pg_freezer_backlog_windows").value(OF_TABLE)).isZero();

        assertThat(pushes).singleElement().satisfies(p -> {
            assertThat(p.method()).isEqualTo("PUT");
            assertThat(p.path()).isEqualTo("/metrics/job/pg_freezer/table/" + TABLE);
            Map<String, PrometheusText.Family> pushed = PrometheusText.parse(p.body());
            assertThat(pushed.get("pg_freezer_last_run_archived_rows").value(Map.of())).isEqualTo(archivable);
            assertThat(pushed.get("pg_freezer_last_run_batches").value(Map.of("status", "done"))).isEqualTo(5);
        });
    }

    @Test
    void anUnreachablePushgatewayDoesNotFailTheRun() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path textfile = dir.resolve("pg_freezer.prom");
        ArchiveFixture f = sensorReadings(Optional.of(textfile), Optional.of(URI.create("http://127.0.0.1:" + closedPort)));
        long archivable = f.count(ARCHIVABLE);

        int exitCode = run(f.config());

        assertThat(exitCode).isZero();
        assertThat(f.count(ARCHIVABLE)).isZero();
        assertThat(PrometheusText.parse(Files.readString(textfile)).get("pg_freezer_last_run_archived_rows").value(OF_TABLE))
                .isEqualTo(archivable);
    }

    @Test
    void anUnwritableTextfileDoesNotFailTheRun() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        ArchiveFixture f = sensorReadings(Optional.of(notADirectory.resolve("pg_freezer.prom")), Optional.empty());

        assertThat(run(f.config())).isZero();
        assertThat(f.count(ARCHIVABLE)).isZero();
    }

    @Test
    void progressHearsEveryRowTheRunArchivesBetweenTheStartAndEndOfItsBatch() {
        ArchiveFixture f = sensorReadings(Optional.empty(), Optional.empty());
        long archivable = f.count(ARCHIVABLE);
        AtomicLong rows = new AtomicLong();
        Map<String, Window> open = new ConcurrentHashMap<>();
        List<BatchOutcome> finished = new CopyOnWriteArrayList<>();
        ProgressListener recorder = new ProgressListener() {
            @Override
            public void batchStarted(String table, Window window) {
                assertThat(open.put(table, window)).isNull();
            }

            @Override
            public void rowsExported(String table, long n, long bytes) {
                assertThat(open).containsKey(table);
                assertThat(bytes).isPositive();
                rows.addAndGet(n);
            }

            @Override
            public void batchFinished(BatchOutcome outcome) {
                assertThat(open.remove(outcome.table())).isEqualTo(outcome.window());
                finished.add(outcome);
            }
        };
        FreezerConfig cfg = f.config();
        RunReport report;
        try (ObjectStorage storage = f.openStorage(); PostgresSource source = new PostgresSource(cfg.database())) {
            report = new Archiver(cfg, source, storage, new StorageManifestStore(storage), new ParquetFormat(cfg.global().compression()),
                    Notifier.NONE, Clock.systemUTC(), new StopSignal(), dir, recorder)
                    .run(RunOptions.run(Optional.empty(), false, false));
        }

        assertThat(report.succeeded()).isTrue();
        assertThat(rows.get()).isEqualTo(archivable).isPositive();
        assertThat(finished).containsExactlyElementsOf(report.batches());
        assertThat(open).isEmpty();
    }
}
