package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A full run against a real PostgreSQL and a local archive, checked by DuckDB. */
class ArchiveRunIT {
    static final Instant NOW = Instant.parse("2024-02-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static ArchiveFixture sensorReadings() {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                "CREATE INDEX ON sensor_readings (recorded_at)",
                "INSERT INTO sensor_readings SELECT t, (extract(minute FROM t)::int / 10), random() * 100, 'reading ' || n "
                        + "FROM generate_series(timestamptz '2024-01-20 00:00+00', timestamptz '2024-02-01 11:50+00', "
                        + "interval '10 minutes') WITH ORDINALITY AS g(t, n)");
        return f;
    }

    static RunOptions options() {
        return RunOptions.run(Optional.empty(), false, false);
    }

    static List<List<String>> pgRows(ArchiveFixture f, String sql) {
        try (Connection c = f.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return DuckDb.collect(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fullRunArchivesClosedWindowsDeletesThemAndKeepsRecentRows() throws Exception {
        ArchiveFixture f = sensorReadings();
        String snapshot = "SELECT (extract(epoch FROM recorded_at) * 1000000)::bigint, sensor_id, value::text, note "
                + "FROM sensor_readings WHERE recorded_at < '2024-01-30' ORDER BY recorded_at";
        List<List<String>> archivedBefore = pgRows(f, snapshot);
        long recent = f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '2024-01-30'");

        RunReport report = f.runAll();

        assertThat(report.succeeded()).isTrue();
        assertThat(report.count(BatchOutcome.Result.DONE)).isEqualTo(10);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < '2024-01-30'")).isZero();
        assertThat(f.count("SELECT count(*) FROM sensor_readings")).isEqualTo(recent);
        for (int day = 20; day <= 29; day++) {
            assertThat(f.root.resolve("sensor_readings/year=2024/month=01/day=" + day + "/data.parquet")).isRegularFile();
        }
        try (Stream<Path> files = Files.walk(f.root.resolve("sensor_readings"))) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(10);
        }
        List<BatchManifest> manifests = f.manifests("sensor_readings");
        assertThat(manifests).hasSize(10).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(BatchStatus.DONE);
            assertThat(m.rowCount()).isEqualTo(144);
            assertThat(m.batchId()).isEqualTo(BatchIds.of("public", "sensor_readings",
                    new Window(m.windowStart(), m.windowEnd(), Granularity.DAILY)));
        });

        List<List<String>> archived = DuckDb.rows("SELECT epoch_us(recorded_at), sensor_id, value::VARCHAR, note FROM "
                + DuckDb.table(f.root, "sensor_readings") + " ORDER BY recorded_at");
        assertThat(archived).hasSize(1440);
        for (int i = 0; i < archived.size(); i++) {
            List<String> a = archived.get(i);
            List<String> p = archivedBefore.get(i);
            assertThat(a.get(0)).isEqualTo(p.get(0));
            assertThat(a.get(1)).isEqualTo(p.get(1));
            assertThat(Double.parseDouble(a.get(2))).isEqualTo(Double.parseDouble(p.get(2)));
            assertThat(a.get(3)).isEqualTo(p.get(3));
        }
        assertThat(DuckDb.rows("SELECT DISTINCT year, month, day FROM " + DuckDb.table(f.root, "sensor_readings")
                + " ORDER BY day")).hasSize(10).first().isEqualTo(List.of("2024", "01", "20"));
    }

    @Test
    void secondRunFindsNothingToDo() {
        ArchiveFixture f = sensorReadings();
        f.runAll();
        RunReport again = f.runAll();
        assertThat(again.batches()).isEmpty();
        assertThat(again.succeeded()).isTrue();
    }

    @Test
    void everySupportedTypeAndAwkwardIdentifiersSurviveTheRoundTrip() {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table("My Schema", "Odd \"Tab\"le", "Event Time", Granularity.MONTHLY, Duration.ofHours(6), Optional.empty());
        f.sql("CREATE SCHEMA \"My Schema\"",
                "CREATE TYPE mood AS ENUM ('sad', 'happy')",
                """
                CREATE TABLE "My Schema"."Odd ""Tab""le" (
                  "Event Time" timestamptz NOT NULL, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,
                  "Mixed Case" text, vc varchar(20), bp char(3), nm name, d date, ts timestamp,
                  amount numeric(12, 2), big numeric(38, 10), loose numeric, id uuid, j json, jb jsonb,
                  raw bytea, o oid, t time, tags text[], nums int4[], m mood, span interval)
                """,
                """
                INSERT INTO "My Schema"."Odd ""Tab""le" VALUES
                  ('2024-01-05 10:00:00.123456+00', true, -32768, 2147483647, -9223372036854775808, 1.5, -2.25e300,
                   'héllo "wörld", 🎉', 'short', 'ab', 'pg_name', '1969-07-20', '1999-12-31 23:59:59.999999',
                   -1234567890.12, 1234567890123456789012345678.0123456789, 3.14159265358979323846264338327950288419,
                   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, {"b": null}]}', '{"k": "v", "n": 1.50}',
                   '\\x00ff10', 4294967295, '23:59:59.5', ARRAY['x', NULL, 'z'], ARRAY[1, 2, 3], 'happy', '1 day 02:03:04'),
                  ('2024-01-06 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL)
                """);
        String pg = """
                SELECT (extract(epoch FROM "Event Time") * 1000000)::bigint, b::text, i2::text, i4::text, i8::text,
                       f4::text, f8::text, "Mixed Case", vc, bp, nm::text, d::text,
                       (extract(epoch FROM ts) * 1000000)::bigint, amount::text, big::text, loose::text, id::text,
                       j::text, jb::text, encode(raw, 'hex'), o::text, t::text, array_to_json(tags)::text,
                       array_to_json(nums)::text, m::text, span::text
                  FROM "My Schema"."Odd ""Tab""le" ORDER BY 1
                """;
        List<List<String>> before = pgRows(f, pg);

        RunReport report = f.runAll();

        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
        assertThat(f.count("SELECT count(*) FROM \"My Schema\".\"Odd \"\"Tab\"\"le\"")).isZero();
        String duck = """
                SELECT epoch_us("Event Time"), b::VARCHAR, i2::VARCHAR, i4::VARCHAR, i8::VARCHAR, f4::VARCHAR,
                       f8::VARCHAR, "Mixed Case", vc, bp, nm, d::VARCHAR, epoch_us(ts), amount::VARCHAR, big::VARCHAR,
                       loose, id::VARCHAR, j::VARCHAR, jb::VARCHAR, lower(hex(raw)), o::VARCHAR, t::VARCHAR,
                       to_json(tags)::VARCHAR, to_json(nums)::VARCHAR, m, span
                  FROM %s ORDER BY 1
                """.formatted(DuckDb.table(f.root, "Odd \"Tab\"le"));
        List<List<String>> after = DuckDb.rows(duck);
        assertThat(after).hasSize(2);
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < before.get(r).size(); c++) {
                String p = before.get(r).get(c);
                String d = after.get(r).get(c);
                if (c == 5 || c == 6) {
                    // Float text differs between engines ("1.5" vs "1.5", "-2.25e+300"); compare values.
                    assertThat(d == null ? null : Double.valueOf(d)).as("column %d row %d", c, r)
                            .isEqualTo(p == null ? null : Double.valueOf(p));
                } else {
                    assertThat(d).as("column %d row %d", c, r).isEqualTo(p);
                }
            }
        }
    }
}
