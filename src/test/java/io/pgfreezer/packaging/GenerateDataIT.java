package io.pgfreezer.packaging;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs scripts/GenerateData.java the way the Taskfile does (the JDK's source launcher, with the
 * packaged jar for the JDBC driver) against a real PostgreSQL.
 */
class GenerateDataIT {
    private static EmbeddedPostgres postgres;
    private static Path jar;
    private static Path checkout;

    @BeforeAll
    static void start() throws Exception {
        jar = PackagedBuild.shadedJar();
        checkout = PackagedBuild.checkout();
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    record Result(int exitCode, String output) {
    }

    @Test
    void quickModeFillsBothTablesWithTwentyDaysOfValidRowsAndExits() throws Exception {
        Instant before = Instant.now();
        Result r = generate("--mode", "quick", "--reset",
                "--dsn", "postgresql://postgres@localhost:" + postgres.getPort() + "/postgres");
        assertThat(r.exitCode).as(r.output).isZero();

        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String[] table : new String[][] {{"sensor_readings", "recorded_at"}, {"device_events", "occurred_at"}}) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), min(" + table[1] + "), max(" + table[1] + ") FROM " + table[0])) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("rows in %s", table[0]).isBetween(9_000L, 11_000L);
                    Instant oldest = rs.getTimestamp(2).toInstant();
                    Instant newest = rs.getTimestamp(3).toInstant();
                    assertThat(Duration.between(oldest, newest)).as("time span of %s", table[0])
                            .isGreaterThan(Duration.ofDays(15));
                    // Older than the example lags, so the dev config has windows to archive.
                    assertThat(oldest).isBefore(before.minus(Duration.ofDays(15)));
                    assertThat(newest).isBefore(Instant.now());
                }
            }
            assertThat(single(s, "SELECT count(DISTINCT sensor_id) FROM sensor_readings")).isEqualTo(8);
            assertThat(single(s, "SELECT count(DISTINCT (sensor_id, sensor_name, unit)) FROM sensor_readings")).isEqualTo(8);
            assertThat(single(s, "SELECT count(*) FROM sensor_readings WHERE value IS NULL OR value = 'NaN'")).isZero();
            assertThat(single(s, "SELECT count(DISTINCT device_id) FROM device_events")).isEqualTo(20);
            assertThat(single(s, "SELECT count(*) FROM device_events WHERE payload IS NULL "
                    + "OR jsonb_typeof(payload) <> 'object' OR NOT payload ? 'device' "
                    + "OR payload->>'device' <> 'dev-' || lpad(device_id::text, 2, '0')")).isZero();
            assertThat(single(s, "SELECT count(*) FROM device_events WHERE payload->'alert'->>'message' LIKE '%\"sensor\"%'"))
                    .as("alerts whose payload text contains quotes survive COPY").isPositive();
            assertThat(single(s, "SELECT count(*) FROM pg_indexes WHERE indexname IN "
                    + "('sensor_readings_recorded_at_idx', 'device_events_occurred_at_idx')")).isEqualTo(2);
        }
    }

    @Test
    void anUnreachableDatabaseIsOneLineWithoutThePassword() throws Exception {
        Result r = generate("--mode", "quick", "--dsn", "postgresql://postgres:s3cr%40t@localhost:1/postgres");

        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.output).contains("error: postgresql://postgres@localhost:1/postgres")
                .doesNotContain("s3cr").doesNotContain("\tat ");
    }

    @Test
    void anUnknownModeIsAUsageError() throws Exception {
        Result r = generate("--mode", "huge");

        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.output).contains("--mode must be full, quick or setup-only, not huge");
    }

    private static long single(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Result generate(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "scripts/GenerateData.java"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(checkout.toFile()).redirectErrorStream(true);
        pb.environment().remove("PG_DSN");
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("generator finished").isTrue();
        return new Result(p.exitValue(), output);
    }
}
