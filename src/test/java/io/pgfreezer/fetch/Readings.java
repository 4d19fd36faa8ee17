package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code readings} table of many types, six days of rows every ten minutes (2024-01-20 to
 * 2024-01-25), archived daily by the real engine. Tests snapshot PostgreSQL before archiving and
 * compare what fetch prints with it, value by value.
 */
final class Readings {
    static final Instant NOW = Instant.parse("2024-02-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static final String CREATE = """
            CREATE TABLE readings (recorded_at timestamptz NOT NULL, sensor_id int, value float8,
              amount numeric(12, 3), note text, payload jsonb, tags text[], raw bytea, id uuid, day date,
              local_ts timestamp)
            """;

    /** Rows from {@code start} (inclusive) to {@code end} (exclusive), every ten minutes, with some NULLs. */
    static String insert(String start, String end) {
        return """
                INSERT INTO readings
                SELECT t, CASE WHEN n %% 13 = 0 THEN NULL ELSE (n %% 7)::int END, n * 1.25 + 0.1,
                       (n * 1.001)::numeric(12, 3), CASE WHEN n %% 11 = 0 THEN NULL ELSE 'reading ' || n END,
                       jsonb_build_object('n', n, 'even', n %% 2 = 0, 'ratio', 1.50),
                       ARRAY['a' || n, NULL], decode(lpad(to_hex(n::int), 6, '0'), 'hex'), md5(n::text)::uuid,
                       (t AT TIME ZONE 'UTC')::date, t AT TIME ZONE 'UTC'
                  FROM generate_series(timestamptz '%s', timestamptz '%s' - interval '1 microsecond',
                                       interval '10 minutes') WITH ORDINALITY AS g(t, n)
                """.formatted(start, end);
    }

    static final String SNAPSHOT = """
            SELECT (extract(epoch FROM recorded_at) * 1000000)::bigint, sensor_id::text, value::text, amount::text,
                   note, payload::text, array_to_json(tags)::text, encode(raw, 'hex'), id::text, day::text,
                   local_ts::text
              FROM readings WHERE recorded_at >= '%s' AND recorded_at < '%s' ORDER BY recorded_at
            """;

    static final List<String> COLUMNS = List.of("recorded_at", "sensor_id", "value", "amount", "note", "payload",
            "tags", "raw", "id", "day", "local_ts");

    private Readings() {
    }

    static ArchiveFixture fixture(ArchiveFixture f) {
        f.clock(CLOCK).table("readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql(CREATE, "CREATE INDEX ON readings (recorded_at)", insert("2024-01-20 00:00+00", "2024-01-26 00:00+00"));
        return f;
    }

    static void archive(ArchiveFixture f) {
        RunReport report = f.runAll();
        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
    }

    /** PostgreSQL's rows of {@code [from, to)}, in time order, as text. */
    static List<List<String>> snapshot(ArchiveFixture f, String from, String to) {
        return query(f, SNAPSHOT.formatted(from, to));
    }

    static List<List<String>> query(ArchiveFixture f, String sql) {
        try (Connection c = f.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return DuckDb.collect(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long epochMicros(String iso) {
        Instant t = OffsetDateTime.parse(iso).toInstant();
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    /** One fetched JSON object against one PostgreSQL row, value by value, per type. */
    static void assertSameRow(JsonNode json, List<String> pg) throws Exception {
        assertThat(FetchCli.fieldNames(json)).containsExactlyElementsOf(COLUMNS);
        assertThat(json.get("recorded_at").textValue()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00");
        assertThat(epochMicros(json.get("recorded_at").textValue())).isEqualTo(Long.parseLong(pg.get(0)));
        if (pg.get(1) == null) {
            assertThat(json.get("sensor_id").isNull()).isTrue();
        } else {
            assertThat(json.get("sensor_id").isIntegralNumber()).isTrue();
            assertThat(json.get("sensor_id").asText()).isEqualTo(pg.get(1));
        }
        assertThat(json.get("value").isNumber()).isTrue();
        assertThat(json.get("value").doubleValue()).isEqualTo(Double.parseDouble(pg.get(2)));
        assertThat(json.get("amount").isNumber()).isTrue();
        assertThat(json.get("amount").decimalValue()).isEqualByComparingTo(new BigDecimal(pg.get(3)));
        assertThat(json.get("note").isNull() ? null : json.get("note").textValue()).isEqualTo(pg.get(4));
        assertThat(json.get("payload").isObject()).isTrue();
        assertThat(json.get("payload")).isEqualTo(FetchCli.JSON.readTree(pg.get(5)));
        assertThat(json.get("tags")).isEqualTo(FetchCli.JSON.readTree(pg.get(6)));
        assertThat(HexFormat.of().formatHex(Base64.getDecoder().decode(json.get("raw").textValue()))).isEqualTo(pg.get(7));
        assertThat(json.get("id").textValue()).isEqualTo(pg.get(8));
        assertThat(json.get("day").textValue()).isEqualTo(pg.get(9));
        assertThat(json.get("local_ts").textValue()).isEqualTo(pg.get(10).replace(' ', 'T'));
    }
}
