package io.pgfreezer.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A bad configuration stops every command before it does anything: one line on stderr, exit code 2. */
class ConfigErrorsCliTest {
    private static final String UNSET_VARIABLE = "PG_FREEZER_TEST_SURELY_UNSET_7F3A";

    private static final String DATABASE = "database:\n  dsn: postgresql://app:hunter2@localhost:5432/db\n";
    private static final String STORAGE = "storage:\n  protocol: s3\n  bucket: archive\n";
    private static final String TABLES = "tables:\n  - name: sensor_readings\n    timestamp_column: recorded_at\n";

    @TempDir
    Path dir;

    @BeforeAll
    static void environmentIsAsTheseTestsExpect() {
        assumeTrue(System.getenv(UNSET_VARIABLE) == null, UNSET_VARIABLE + " must not be set");
        assumeTrue(System.getenv("PG_FREEZER_DEBUG") == null, "PG_FREEZER_DEBUG adds stack traces to the output");
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("missing required field", STORAGE + TABLES + "database:\n  pool_size: 2\n",
                        "database.dsn: is required"),
                Arguments.of("bad timestring", DATABASE + STORAGE + TABLES + "    lag: 15x\n",
                        "tables[0].lag: '15x' is not a timestring"),
                Arguments.of("unset variable", "database:\n  dsn: \"${" + UNSET_VARIABLE + "}\"\n" + STORAGE + TABLES,
                        "line 2: environment variable " + UNSET_VARIABLE + " is not set"),
                Arguments.of("unknown granularity", DATABASE + STORAGE + TABLES + "    partition_by: weekly\n",
                        "tables[0].partition_by: 'weekly' is not one of hourly, daily, monthly"),
                Arguments.of("malformed YAML", DATABASE + "storage: [\n", "malformed YAML"),
                Arguments.of("unknown key", DATABASE + STORAGE + TABLES + "    partition: daily\n",
                        "tables[0].partition: unknown field (did you mean partition_by?)"),
                Arguments.of("colliding table names", DATABASE + STORAGE + TABLES
                        + "  - {name: sensor_readings, schema: other, timestamp_column: ts}\n", "tables[1].name: "),
                Arguments.of("lag beyond any instant", DATABASE + STORAGE + TABLES + "    lag: 999999999999d\n",
                        "tables[0].lag: '999999999999d' is too long"),
                Arguments.of("statement_timeout beyond PostgreSQL's range", DATABASE + "  statement_timeout: 30d\n" + STORAGE + TABLES,
                        "database.statement_timeout: '30d' is too long"));
    }

    /** Both once got past loading: the lag to an internal error, the timeout to a connection error. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("durationsBeyondRange")
    void runRefusesADurationOutOfRangeBeforeItConnects(String why, String yaml, String expected) throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("run", "-c", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .isEqualTo("error: " + config + ": " + expected);
    }

    static Stream<Arguments> durationsBeyondRange() {
        return Stream.of(
                Arguments.of("lag", DATABASE + STORAGE + TABLES + "    lag: 999999999999d\n",
                        "tables[0].lag: '999999999999d' is too long (at most 36500d, 100 years)"),
                Arguments.of("statement_timeout", DATABASE + "  statement_timeout: 30d\n" + STORAGE + TABLES,
                        "database.statement_timeout: '30d' is too long (at most PostgreSQL's limit of 2147483647 ms, about 24d)"),
                Arguments.of("check_interval", DATABASE + STORAGE + TABLES + "global:\n  check_interval: 999999999999d\n",
                        "global.check_interval: '999999999999d' is too long (at most 365d)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigPrintsOneLineAndExitsWithUsageCode(String why, String yaml, String expected) throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), yaml);

        Result result = status(config);

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.out).isEmpty();
        assertThat(result.err.lines()).singleElement().asString()
                .startsWith("error: " + config + ": ")
                .contains(expected)
                .doesNotContain("hunter2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void noStackTraceEverReachesTheOperator(String why, String yaml, String expected) throws IOException {
        Result result = status(Files.writeString(dir.resolve("config.yaml"), yaml));

        assertThat(result.err).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @org.junit.jupiter.api.Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("absent.yaml");

        Result result = status(missing);

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.out).isEmpty();
        assertThat(result.err.lines()).containsExactly("error: config file not found: " + missing);
    }

    @ParameterizedTest(name = "--parallel {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"0", "1025"})
    void verifyRefusesReadsInFlightOutsideWhatTheClientCanHoldOpen(String parallel) throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), DATABASE + STORAGE + TABLES);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("verify", "-c", config.toString(), "--parallel", parallel);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .isEqualTo("error: --parallel must be from 1 to 1024, got " + parallel);
    }

    private static Result status(Path config) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("status", "-c", config.toString());
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err) {
    }
}
