package io.pgfreezer.metrics;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.pgfreezer.engine.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Pushes to a real HTTP server on the loopback interface. */
class PushgatewayClientTest {
    static final Instant FINISHED = Instant.parse("2024-02-01T12:00:00Z");

    record Request(String method, String path, String contentType, String authorization, String body) {
    }

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private HttpServer server;
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        logs.start();
        ((Logger) LoggerFactory.getLogger(PushgatewayClient.class)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(PushgatewayClient.class)).detachAppender(logs);
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static RunMetrics metrics(String... tables) {
        return RunMetrics.of(new RunReport(), List.of(tables), FINISHED);
    }

    @Test
    void eachTableIsPutToItsOwnGroupWithoutATableLabelInTheBody() {
        int pushed = new PushgatewayClient(URI.create(base() + "/"), "pg_freezer").push(metrics("public.a", "public.b"));

        assertThat(pushed).isEqualTo(2);
        assertThat(requests).extracting(Request::method).containsOnly("PUT");
        assertThat(requests).extracting(Request::path).containsExactlyInAnyOrder(
                "/metrics/job/pg_freezer/table/public.a", "/metrics/job/pg_freezer/table/public.b");
        Request a = requests.stream().filter(r -> r.path().endsWith("public.a")).findFirst().orElseThrow();
        assertThat(a.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        Map<String, PrometheusText.Family> body = PrometheusText.parse(a.body());
        assertThat(body.get("pg_freezer_last_run_success").value(Map.of())).isEqualTo(1);
        assertThat(body.get("pg_freezer_last_run_batches").value(Map.of("status", "done"))).isZero();
        assertThat(body.values()).flatMap(PrometheusText.Family::series)
                .allSatisfy(s -> assertThat(s.labels()).doesNotContainKey("table"));
    }

    @Test
    void aPathPrefixInTheUrlIsKept() {
        new PushgatewayClient(URI.create(base() + "/pushgateway"), "nightly").push(metrics("public.a"));

        assertThat(requests).extracting(Request::path).containsExactly("/pushgateway/metrics/job/nightly/table/public.a");
    }

    @Test
    void aTableNameAPathWouldMangleIsSentBase64Encoded() {
        String odd = "My Schema.sensor/readings";
        new PushgatewayClient(URI.create(base()), "pg_freezer").push(metrics(odd));

        String encoded = Base64.getUrlEncoder().encodeToString(odd.getBytes(StandardCharsets.UTF_8));
        assertThat(requests).extracting(Request::path).containsExactly("/metrics/job/pg_freezer/table@base64/" + encoded);
    }

    @Test
    void credentialsInTheUrlAreSentAsBasicAuthAndNeverLogged() {
        status = 500;
        PushgatewayClient client = new PushgatewayClient(
                URI.create("http://pusher:s%40cret@127.0.0.1:" + server.getAddress().getPort()), "pg_freezer");

        assertThat(client.push(metrics("public.a"))).isZero();

        assertThat(requests).extracting(Request::authorization).containsExactly(
                "Basic " + Base64.getEncoder().encodeToString("pusher:s@cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(logs.list).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains("HTTP 500", base()).doesNotContain("pusher", "cret");
        });
        assertThat(client.safeUrl()).isEqualTo(base());
    }

    @Test
    void aRefusedConnectionIsAWarningNotAnException() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        int pushed = new PushgatewayClient(URI.create("http://127.0.0.1:" + closedPort), "pg_freezer")
                .push(metrics("public.a"));

        assertThat(pushed).isZero();
        assertThat(logs.list).singleElement().satisfies(e ->
                assertThat(e.getFormattedMessage()).startsWith("metrics could not be pushed to Pushgateway http://127.0.0.1:")
                        .endsWith(": could not connect"));
    }
}
