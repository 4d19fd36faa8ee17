package io.pgfreezer.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LogSetupTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void backToDefaults() {
        MDC.clear();
        LogSetup.configure(Map.of(), false);
    }

    @Test
    void formatIsForcedByLogFormatAndOtherwiseFollowsTheTerminal() {
        assertThat(LogSetup.format("json", true)).isEqualTo(LogSetup.Format.JSON);
        assertThat(LogSetup.format("CONSOLE", false)).isEqualTo(LogSetup.Format.CONSOLE);
        assertThat(LogSetup.format(null, true)).isEqualTo(LogSetup.Format.CONSOLE);
        assertThat(LogSetup.format(null, false)).isEqualTo(LogSetup.Format.JSON);
        assertThat(LogSetup.format("xml", false)).isEqualTo(LogSetup.Format.JSON);
    }

    @Test
    void levelComesFromLogLevelWithInfoAsDefault() {
        assertThat(LogSetup.level("debug")).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.level("WARNING")).isEqualTo(Level.WARN);
        assertThat(LogSetup.level(null)).isEqualTo(Level.INFO);
        assertThat(LogSetup.level("loud")).isEqualTo(Level.INFO);
    }

    @Test
    void jsonLineCarriesEventLevelTimestampContextAndErrorOnStderrOnly() throws Exception {
        Captured captured = capture(Map.of("LOG_FORMAT", "json"), () -> {
            MDC.put("table", "public.sensor_readings");
            MDC.put("batch_id", "e4ad1b2a27064d51");
            MDC.put("window", "2024-01-15T00:00:00+00:00/2024-01-16T00:00:00+00:00");
            LoggerFactory.getLogger("io.pgfreezer.engine.Test")
                    .warn("verification \"failed\"\nretrying", new IllegalStateException("row count 9800, expected 10000"));
        });

        assertThat(captured.out).isEmpty();
        assertThat(captured.err.lines()).hasSize(1);
        JsonNode line = JSON.readTree(captured.err);
        assertThat(line.get("message").asText()).isEqualTo("verification \"failed\"\nretrying");
        assertThat(line.get("event").asText()).isEqualTo("log");
        assertThat(line.get("run_id").asText()).isEqualTo(LogSetup.runId());
        assertThat(line.get("level").asText()).isEqualTo("warning");
        assertThat(line.get("logger").asText()).isEqualTo("io.pgfreezer.engine.Test");
        assertThat(line.get("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(line.get("table").asText()).isEqualTo("public.sensor_readings");
        assertThat(line.get("batch_id").asText()).isEqualTo("e4ad1b2a27064d51");
        assertThat(line.get("window").asText()).startsWith("2024-01-15");
        assertThat(line.get("error").asText()).isEqualTo("row count 9800, expected 10000");
        assertThat(line.has("stack_trace")).isFalse();
    }

    @Test
    void debugModeAddsTheStackTrace() throws Exception {
        Captured captured = capture(Map.of("LOG_FORMAT", "json", "PG_FREEZER_DEBUG", "1"), () ->
                LoggerFactory.getLogger("io.pgfreezer.Test").error("boom", new IllegalStateException("bad")));

        assertThat(JSON.readTree(captured.err).get("stack_trace").asText()).contains("IllegalStateException").contains("at ");
    }

    @Test
    void consoleLineShowsTableAndBatchThenMessage() {
        Captured captured = capture(Map.of("LOG_FORMAT", "console"), () -> {
            MDC.put("table", "public.sensor_readings");
            MDC.put("batch_id", "e4ad1b2a27064d51");
            LoggerFactory.getLogger("io.pgfreezer.Test").info("exported {} rows", 12500);
        });

        assertThat(captured.out).isEmpty();
        assertThat(captured.err).matches("\\d\\d:\\d\\d:\\d\\d INFO  \\[public.sensor_readings e4ad1b2a27064d51] exported 12500 rows\\R");
    }

    @Test
    void levelFiltersAndNoisyLibrariesStayAtWarn() {
        Captured captured = capture(Map.of("LOG_FORMAT", "console", "LOG_LEVEL", "debug"), () -> {
            LoggerFactory.getLogger("io.pgfreezer.Test").debug("ours");
            LoggerFactory.getLogger("software.amazon.awssdk.request").info("theirs");
            LoggerFactory.getLogger("com.zaxxer.hikari.pool").warn("pool warning");
        });

        assertThat(captured.err).contains("ours").doesNotContain("theirs").contains("pool warning");
    }

    @Test
    void jsonEncoderEscapesAndKeepsFixedFieldsFromBeingOverwritten() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("io.pgfreezer.Test"), Level.INFO, "tab\there", null, null);
        event.setMDCPropertyMap(Map.of("level", "forged", "message", "forged", "table", "t"));
        LogSetup.JsonEncoder encoder = new LogSetup.JsonEncoder(false);

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("}\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("info");
        assertThat(json.get("message").asText()).isEqualTo("tab\there");
        assertThat(json.get("table").asText()).isEqualTo("t");
    }

    @Test
    void anEventNameAndItsNumbersAreFieldsOfTheirOwnAndConsoleLinesLeaveThemToTheMessage() throws Exception {
        Runnable batchDone = () -> LoggerFactory.getLogger("io.pgfreezer.engine.Test").atInfo()
                .addKeyValue("event", "batch_done").addKeyValue("rows", 86_400L).addKeyValue("seconds", 1.5)
                .addKeyValue("bytes", 5_200_000L).log("archived {} rows", 86_400);

        JsonNode json = JSON.readTree(capture(Map.of("LOG_FORMAT", "json"), batchDone).err);
        assertThat(json.get("event").asText()).isEqualTo("batch_done");
        assertThat(json.get("rows").isIntegralNumber()).isTrue();
        assertThat(json.get("rows").asLong()).isEqualTo(86_400L);
        assertThat(json.get("seconds").asDouble()).isEqualTo(1.5);
        assertThat(json.get("message").asText()).isEqualTo("archived 86400 rows");

        assertThat(capture(Map.of("LOG_FORMAT", "console"), batchDone).err).isEmpty();
        String verbose = capture(Map.of("LOG_FORMAT", "console"), () -> {
            LogSetup.verbose(true);
            batchDone.run();
        }).err;
        assertThat(verbose).endsWith("archived 86400 rows" + System.lineSeparator()).doesNotContain("rows=");
    }

    private static Captured capture(Map<String, String> env, Runnable logging) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            LogSetup.configure(env, false);
            logging.run();
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Captured(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Captured(String out, String err) {
    }
}
