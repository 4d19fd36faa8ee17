package io.pgfreezer.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class WebhookNotifierTest {
    static final BatchFailure FAILURE = new BatchFailure("sensor_readings", "e4ad1b2a27064d51",
            "2024-01-15T00:00:00+00:00", "2024-01-16T00:00:00+00:00",
            "Verification failed: s3://b/k has 9800 rows, expected 10000");

    @Test
    void postsTheOriginalsPayloadAsJson() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        CompletableFuture<String> body = new CompletableFuture<>();
        CompletableFuture<String> contentType = new CompletableFuture<>();
        server.createContext("/hook", exchange -> {
            contentType.complete(exchange.getRequestHeaders().getFirst("Content-Type") + " " + exchange.getRequestMethod());
            body.complete(new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            new WebhookNotifier(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"))
                    .batchFailed(FAILURE);

            JsonNode json = new ObjectMapper().readTree(body.get(5, TimeUnit.SECONDS));
            assertThat(contentType.get()).isEqualTo("application/json POST");
            assertThat(json.get("service").asText()).isEqualTo("pg_freezer");
            assertThat(json.get("event").asText()).isEqualTo("batch_failed");
            assertThat(json.get("table").asText()).isEqualTo("sensor_readings");
            assertThat(json.get("batch_id").asText()).isEqualTo("e4ad1b2a27064d51");
            assertThat(json.get("window_start").asText()).isEqualTo("2024-01-15T00:00:00+00:00");
            assertThat(json.get("window_end").asText()).isEqualTo("2024-01-16T00:00:00+00:00");
            assertThat(json.get("error").asText()).startsWith("Verification failed");
            assertThat(json.get("text").asText()).isEqualTo("pg_freezer: batch e4ad1b2a27064d51 of sensor_readings "
                    + "FAILED (window 2024-01-15T00:00:00+00:00 to 2024-01-16T00:00:00+00:00): "
                    + "Verification failed: s3://b/k has 9800 rows, expected 10000");
        } finally {
            server.stop(0);
        }
    }

    /**
     * An endpoint that answers as Slack's incoming webhooks do: 400 {@code no_text} for a JSON
     * payload without a non-empty {@code text} string, 200 {@code ok} otherwise.
     */
    @Test
    void aSlackStyleIncomingWebhookAcceptsThePayload() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        CompletableFuture<Integer> answered = new CompletableFuture<>();
        CompletableFuture<String> text = new CompletableFuture<>();
        server.createContext("/services/T000/B000/XXXX", exchange -> {
            JsonNode payload = new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes());
            boolean hasText = payload.path("text").isTextual() && !payload.get("text").asText().isBlank();
            byte[] reply = (hasText ? "ok" : "no_text").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int status = hasText ? 200 : 400;
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
            text.complete(payload.path("text").asText());
            answered.complete(status);
        });
        server.start();
        try {
            BatchFailure withMarkup = new BatchFailure("sensor_readings", "e4ad1b2a27064d51",
                    "2024-01-15T00:00:00+00:00", "2024-01-16T00:00:00+00:00", "value <NaN> & more");
            new WebhookNotifier(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/services/T000/B000/XXXX")).batchFailed(withMarkup);

            assertThat(answered.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(text.get()).endsWith("value &lt;NaN&gt; &amp; more");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableWebhookIsOnlyAWarning() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + "/hook");
        assertThatCode(() -> new WebhookNotifier(url).batchFailed(FAILURE)).doesNotThrowAnyException();
    }

    @Test
    void aWebhookThatNeverAnswersGivesUpAfterFiveSeconds() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(8_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            long start = System.nanoTime();
            new WebhookNotifier(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow"))
                    .batchFailed(FAILURE);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(8);
        } finally {
            server.stop(0);
        }
    }
}
