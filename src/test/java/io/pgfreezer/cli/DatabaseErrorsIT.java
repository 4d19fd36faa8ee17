package io.pgfreezer.cli;

import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code run} prints when PostgreSQL refuses a statement, against the real embedded server:
 * one line per error, and an error caused by {@code extra_filters} says so.
 */
class DatabaseErrorsIT {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    private Result run(ArchiveFixture f, String table, String extraFilters) throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                database:
                  dsn: "%s"
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: %s
                    timestamp_column: recorded_at
                    lag: 1d
                    extra_filters: "%s"
                """.formatted(f.dsn, f.root, table, extraFilters.replace("\"", "\\\"")));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("run", "-c", config.toString());
        return new Result(code, out.toString(), err.toString());
    }

    private static ArchiveFixture readings() {
        ArchiveFixture f = ArchiveFixture.local();
        f.sql("CREATE TABLE readings (recorded_at timestamptz NOT NULL, sensor_id int, value float8)",
                "INSERT INTO readings SELECT t, 3, 1.5 FROM generate_series(now() - interval '4 days', now(), "
                        + "interval '1 hour') t");
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "syntax error       | sensor_id = = 3                      | syntax error at or near",
            "unknown column     | sensor_idx = 3                       | column \"sensor_idx\" does not exist",
            "bad literal        | sensor_id = 'three'                  | invalid input syntax for type integer",
            "unknown function   | lower(sensor_id) = 'x'               | function lower(integer) does not exist",
            "error at run time  | value / (sensor_id - 3) > 0          | division by zero"})
    void anExtraFiltersErrorNamesExtraFiltersAndTheTableOnOneLine(String why, String filter, String message)
            throws IOException {
        ArchiveFixture f = readings();
        long rows = f.count("SELECT count(*) FROM readings");

        Result result = run(f, "readings", filter);

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).isEmpty();
        assertThat(result.out().lines().filter(l -> l.startsWith("error:")).toList()).singleElement().asString()
                .startsWith("error: public.readings: ")
                .contains("extra_filters of public.readings")
                .contains(message)
                .doesNotContain("Position:").doesNotContain("Where:");
        assertThat(result.out()).doesNotContain("\n  ");
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(rows);
    }

    @Test
    void aMultiLineServerErrorWithoutAFilterIsStillOneLine() throws IOException {
        ArchiveFixture f = readings();
        // A trigger that raises with a detail and a hint, so the server's message has several parts.
        f.sql("""
                CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  RAISE EXCEPTION 'rows of readings are kept' USING DETAIL = 'legal hold', HINT = 'lift the hold first';
                END $$""",
                "CREATE TRIGGER keep BEFORE DELETE ON readings FOR EACH ROW EXECUTE FUNCTION refuse()");

        Result result = run(f, "readings", "true");

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out().lines().filter(l -> l.contains("rows of readings are kept")).toList()).singleElement()
                .asString()
                .contains("legal hold").contains("lift the hold first")
                .doesNotContain("extra_filters").doesNotContain("Where:");
        assertThat(result.out()).doesNotContain("\n  ").doesNotContain("PL/pgSQL");
    }
}
