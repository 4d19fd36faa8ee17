package io.pgfreezer.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.sun.net.httpserver.HttpServer;
import io.pgfreezer.notify.BatchFailure;
import io.pgfreezer.notify.WebhookNotifier;
import io.pgfreezer.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets in the connection string and the webhook URL, with logging as verbose as an operator
 * can make it: a real connection failure against the embedded PostgreSQL and a real webhook
 * POST, with stdout, stderr and every log line captured.
 */
class SecretsStayOutOfOutputIT {
    private static final Map<String, String> VERBOSE = Map.of("LOG_LEVEL", "trace", "LOG_FORMAT", "console",
            "PG_FREEZER_DEBUG", "1");

    @TempDir
    Path dir;

    @AfterEach
    void backToTheTestLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    /** The embedded server trusts local connections, so the connection is refused by naming a database that does not exist. */
    @ParameterizedTest
    @ValueSource(strings = {
            "postgresql://postgres:PwUserInfo1@localhost:%d/missing_db?sslpassword=SslKeyPass1&sslmode=disable",
            "postgresql://postgres@localhost:%d/missing_db?password=PwFirst2&application_name=probe",
            "postgresql://postgres@localhost:%d/missing_db?sslmode=disable&password=PwMiddle3&sslpassword=SslKeyPass3&connect_timeout=5",
            "postgresql://postgres@localhost:%d/missing_db?sslmode=disable&sslpassword=SslKeyPass4&password=PwLast4",
            "jdbc:postgresql://localhost:%d/missing_db?user=postgres&sslpassword=SslKeyPass5&sslmode=disable&password=PwJdbc5"})
    void aConnectionFailureNamesTheServerButNoSecretOfTheDsn(String template) throws Exception {
        int port = TestPostgres.server().getPort();
        String dsn = template.formatted(port);
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                database:
                  dsn: "%s"
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: sensor_readings
                    timestamp_column: recorded_at
                """.formatted(dsn, dir.resolve("archive")));

        Captured run = capture(() -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("run", "-c", config.toString());
            return new Result(code, out.toString(), err.toString());
        });

        assertThat(run.result.exit).isEqualTo(1);
        assertThat(run.result.err.lines()).singleElement().asString()
                .startsWith("error: cannot connect to PostgreSQL at jdbc:postgresql://localhost:" + port + "/missing_db")
                .contains("missing_db\" does not exist");
        String everything = run.result.out + run.result.err + run.stdout + run.stderr;
        for (String secret : new String[] {"PwUserInfo", "SslKeyPass", "PwFirst", "PwMiddle", "PwLast", "PwJdbc"}) {
            assertThat(everything).doesNotContain(secret);
        }
    }

    @Test
    void theWebhookTokenIsNotPrintedEvenAtTraceLevel() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        CompletableFuture<String> delivered = new CompletableFuture<>();
        server.createContext("/services/", exchange -> {
            delivered.complete(exchange.getRequestURI().getPath());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        String token = "T0KEN5ecretWebhookPath";
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/services/" + token + "?sig=" + token);
        try {
            Captured sent = capture(() -> {
                LoggerFactory.getLogger(WebhookNotifier.class).debug("debug output of pg-freezer itself is on");
                new WebhookNotifier(url).batchFailed(new BatchFailure("sensor_readings", "e4ad1b2a27064d51",
                        "2024-01-15T00:00:00+00:00", "2024-01-16T00:00:00+00:00", "verification failed"));
                return null;
            });

            assertThat(delivered.get(5, TimeUnit.SECONDS)).isEqualTo("/services/" + token);
            assertThat(sent.stderr).contains("debug output of pg-freezer itself is on");
            assertThat(sent.stdout + sent.stderr).doesNotContain(token);
        } finally {
            server.stop(0);
        }
    }

    private interface Action {
        Result run() throws Exception;
    }

    private record Result(int exit, String out, String err) {
    }

    private record Captured(Result result, String stdout, String stderr) {
    }

    /** Logging configured as the process does at start, with the process's own stdout and stderr captured. */
    private static Captured capture(Action action) throws Exception {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Result result;
        try {
            LogSetup.configure(VERBOSE, false);
            result = action.run();
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Captured(result, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
