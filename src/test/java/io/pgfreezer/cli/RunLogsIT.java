package io.pgfreezer.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run} through the real command line against the embedded PostgreSQL, with the process's
 * stderr captured: in JSON mode every line is an object collectors read as is; on a terminal an
 * hourly table gives one line per table, not one per window.
 */
class RunLogsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two closed days of an hourly table: 48 windows, 6 rows each. */
    private static final int WINDOWS = 48;

    @TempDir
    Path dir;

    @AfterEach
    void backToTheTestLogging() throws Exception {
        MDC.clear();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void everyJsonLineCarriesMessageTimestampLevelEventAndOneRunIdWithNumericFields() throws Exception {
        ArchiveFixture f = hourlyTable();
        long archivable = f.count(ARCHIVABLE);

        Captured run = run(Map.of("LOG_FORMAT", "json"), config(f));

        assertThat(run.exit).isZero();
        assertThat(f.count(ARCHIVABLE)).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String text : run.stderr.lines().toList()) {
            lines.add(JSON.readTree(text));
        }
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.get("message").isTextual()).isTrue();
            assertThat(Instant.parse(line.get("@timestamp").asText())).isBefore(Instant.now().plusSeconds(1));
            assertThat(line.get("level").asText()).isIn("info", "warning", "error", "debug");
            assertThat(line.get("event").asText()).matches("[a-z_]+");
        });
        assertThat(lines.stream().map(l -> l.get("run_id").asText()).distinct()).singleElement().asString()
                .matches("[0-9a-f-]{36}");

        assertThat(events(lines, "run_started")).hasSize(1);
        JsonNode tableStarted = events(lines, "table_started").get(0);
        assertThat(tableStarted.get("table").asText()).isEqualTo("public.device_events");
        assertThat(tableStarted.get("windows").asLong()).isEqualTo(WINDOWS);

        List<JsonNode> batches = events(lines, "batch_done");
        assertThat(batches).hasSize(WINDOWS).allSatisfy(b -> {
            assertThat(b.get("rows").isIntegralNumber()).isTrue();
            assertThat(b.get("bytes").isIntegralNumber()).isTrue();
            assertThat(b.get("bytes").asLong()).isPositive();
            assertThat(b.get("seconds").isNumber()).isTrue();
            assertThat(b.get("table").asText()).isEqualTo("public.device_events");
            assertThat(b.get("batch_id").asText()).matches("[0-9a-f]{16}");
            assertThat(b.get("window_start").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:00:00\\+00:00");
        });
        assertThat(batches.stream().mapToLong(b -> b.get("rows").asLong()).sum()).isEqualTo(archivable);
        assertThat(batches.stream().map(b -> b.get("window_start").asText()).distinct()).hasSize(WINDOWS);

        JsonNode tableDone = events(lines, "table_done").get(0);
        assertThat(tableDone.get("windows").asLong()).isEqualTo(WINDOWS);
        assertThat(tableDone.get("rows").asLong()).isEqualTo(archivable);

        JsonNode runDone = events(lines, "run_done").get(0);
        assertThat(runDone.get("succeeded").asBoolean()).isTrue();
        assertThat(runDone.get("batches_done").asLong()).isEqualTo(WINDOWS);
        assertThat(runDone.get("rows").asLong()).isEqualTo(archivable);
        assertThat(runDone.get("bytes").asLong()).isEqualTo(batches.stream().mapToLong(b -> b.get("bytes").asLong()).sum());
        assertThat(runDone.get("seconds").isNumber()).isTrue();
        assertThat(runDone.has("table")).isFalse();
        assertThat(run.stdout).contains(WINDOWS + " batch(es) done");
    }

    @Test
    void onATerminalAnHourlyTableGivesOneLinePerTableAndEveryBatchOnlyWithVerbose() throws Exception {
        ArchiveFixture f = hourlyTable();
        Path config = config(f);

        Captured quiet = run(Map.of("LOG_FORMAT", "console"), config, "--dry-run");
        Captured verbose = run(Map.of("LOG_FORMAT", "console"), config, "--dry-run", "-v");

        assertThat(quiet.exit).isZero();
        assertThat(quiet.stderr.lines().filter(l -> l.contains("would archive"))).isEmpty();
        assertThat(quiet.stderr.lines().filter(l -> l.contains("dry run: " + WINDOWS + " window(s)"))).hasSize(1);
        assertThat(quiet.stderr.lines().count()).isLessThan(6);
        assertThat(verbose.stderr.lines().filter(l -> l.contains("would archive"))).hasSize(WINDOWS);
    }

    private static final String ARCHIVABLE =
            "SELECT count(*) FROM device_events WHERE occurred_at < date_trunc('day', now())";

    private static ArchiveFixture hourlyTable() {
        ArchiveFixture f = ArchiveFixture.local();
        f.sql("CREATE TABLE device_events (occurred_at timestamptz NOT NULL, device int, payload text)",
                "INSERT INTO device_events SELECT t, n % 5, 'event ' || n FROM generate_series("
                        + "date_trunc('day', now()) - interval '2 days', date_trunc('day', now()) - interval '1 second', "
                        + "interval '10 minutes') WITH ORDINALITY AS g(t, n)");
        return f;
    }

    /** A lag of the time since midnight: exactly the windows before today are due. */
    private Path config(ArchiveFixture f) throws Exception {
        return Files.writeString(dir.resolve("config-" + System.nanoTime() + ".yaml"), """
                database:
                  dsn: "%s"
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: device_events
                    timestamp_column: occurred_at
                    partition_by: hourly
                    lag: %ds
                """.formatted(f.dsn, f.root, Duration.between(
                        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS), Instant.now()).toSeconds()));
    }

    private static List<JsonNode> parse(String stderr) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String text : stderr.lines().toList()) {
            lines.add(JSON.readTree(text));
        }
        return lines;
    }

    private static List<JsonNode> events(List<JsonNode> lines, String name) {
        return lines.stream().filter(l -> l.get("event").asText().equals(name)).toList();
    }

    private record Captured(int exit, String stdout, String stderr) {
    }

    /** Logging configured as the process does at start, with the process's stderr captured. */
    private static Captured run(Map<String, String> env, Path config, String... extra) {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        StringWriter out = new StringWriter();
        int code;
        try {
            LogSetup.configure(env, false);
            List<String> args = new ArrayList<>(List.of("run", "-c", config.toString()));
            args.addAll(List.of(extra));
            code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(System.err, true))
                    .execute(args.toArray(String[]::new));
        } finally {
            System.setErr(originalErr);
        }
        return new Captured(code, out.toString(), err.toString(StandardCharsets.UTF_8));
    }
}
