package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.format.ArchiveFormat;
import io.pgfreezer.format.ArchiveWriter;
import io.pgfreezer.format.ColumnType;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.format.ValueKind;
import io.pgfreezer.format.WrittenFile;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.storage.ObjectOutput;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every supported type with its edge values goes through a real run, with the JVM in a zone that
 * has DST (so nothing may pass through the JVM's zone), and DuckDB reads back each value as
 * PostgreSQL held it. Reaching DONE also means the value proof matched: each archived value,
 * encoded back into PostgreSQL's binary form, has the bytes PostgreSQL sent.
 */
class ExactValuesIT {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T00:00:00Z"), ZoneOffset.UTC);
    private static TimeZone jvmZone;

    @BeforeAll
    static void zoneWithDst() {
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
    }

    @AfterAll
    static void restoreZone() {
        TimeZone.setDefault(jvmZone);
    }

    /** A column: its PostgreSQL type, then the same value as text in PostgreSQL and in DuckDB. */
    record Col(String name, String type, String pg, String duck) {
    }

    static String pgList(String col, String element) {
        return ("CASE WHEN %1$s IS NULL THEN NULL ELSE coalesce((SELECT string_agg(coalesce(%2$s, 'null'), ',' ORDER BY i) "
                + "FROM unnest(%1$s) WITH ORDINALITY AS u(x, i)), '') END").formatted(col, element);
    }

    static String duckList(String col, String element) {
        return "CASE WHEN %1$s IS NULL THEN NULL ELSE array_to_string(list_transform(%1$s, lambda x: coalesce(%2$s, 'null')), ',') END"
                .formatted(col, element);
    }

    static final String PG_US = "(extract(epoch FROM %s) * 1000000)::bigint::text";
    static final String PG_DAYS = "(%s - date '1970-01-01')::text";
    static final String DUCK_DAYS = "date_diff('day', DATE '1970-01-01', %s)::VARCHAR";

    static final List<Col> COLUMNS = List.of(
            new Col("b", "bool", "b::text", "b::VARCHAR"),
            new Col("i2", "int2", "i2::text", "i2::VARCHAR"),
            new Col("i4", "int4", "i4::text", "i4::VARCHAR"),
            new Col("i8", "int8", "i8::text", "i8::VARCHAR"),
            new Col("f4", "float4", "f4::text", "f4::VARCHAR"),
            new Col("f8", "float8", "f8::text", "f8::VARCHAR"),
            new Col("n", "numeric(12,2)", "n::text", "n::VARCHAR"),
            new Col("nneg", "numeric(5,-2)", "nneg::text", "nneg::VARCHAR"),
            new Col("nfrac", "numeric(3,5)", "nfrac::text", "nfrac::VARCHAR"),
            new Col("nbig", "numeric(38,10)", "nbig::text", "nbig::VARCHAR"),
            new Col("nfree", "numeric", "nfree::text", "nfree"),
            new Col("t", "text", "t", "t"),
            new Col("vc", "varchar(10)", "vc::text", "vc"),
            new Col("bp", "char(3)", "encode(bpcharsend(bp), 'hex')", "lower(hex(encode(bp)))"),
            new Col("nm", "name", "nm::text", "nm"),
            new Col("ch", "\"char\"", "ch::text", "ch"),
            new Col("j", "json", "j::text", "j::VARCHAR"),
            new Col("jb", "jsonb", "jb::text", "jb::VARCHAR"),
            new Col("raw", "bytea", "encode(raw, 'hex')", "lower(hex(raw))"),
            new Col("u", "uuid", "u::text", "u"),
            new Col("d", "date", PG_DAYS.formatted("d"), DUCK_DAYS.formatted("d")),
            new Col("tsl", "timestamp", PG_US.formatted("tsl"), "epoch_us(tsl)::VARCHAR"),
            new Col("tz", "timestamptz", PG_US.formatted("tz"), "epoch_us(tz)::VARCHAR"),
            new Col("tm", "time", "tm::text", "tm"),
            new Col("ttz", "timetz", "ttz::text", "ttz"),
            new Col("iv", "interval", "iv::text", "iv"),
            new Col("mon", "money", "mon::text", "mon"),
            new Col("ip", "inet", "ip::text", "ip"),
            new Col("o", "oid", "o::text", "o::VARCHAR"),
            new Col("e", "mood", "e::text", "e"),
            new Col("dm", "positive", "dm::text", "dm::VARCHAR"),
            new Col("rg", "int4range", "rg::text", "rg"),
            new Col("tsa", "timestamp[]", pgList("tsa", PG_US.formatted("x")), duckList("tsa", "epoch_us(x)::VARCHAR")),
            new Col("tza", "timestamptz[]", pgList("tza", PG_US.formatted("x")), duckList("tza", "epoch_us(x)::VARCHAR")),
            new Col("da", "date[]", pgList("da", PG_DAYS.formatted("x")), duckList("da", DUCK_DAYS.formatted("x"))),
            new Col("tma", "time[]", pgList("tma", "x::text"), duckList("tma", "x")),
            new Col("ia", "int4[]", pgList("ia", "x::text"), duckList("ia", "x::VARCHAR")),
            new Col("ta", "text[]", pgList("ta", "x"), duckList("ta", "x")),
            new Col("ua", "uuid[]", pgList("ua", "x::text"), duckList("ua", "x")),
            new Col("jba", "jsonb[]", pgList("jba", "x::text"), duckList("jba", "x::VARCHAR")),
            new Col("na", "numeric(5,2)[]", pgList("na", "x::text"), duckList("na", "x::VARCHAR")),
            new Col("fa", "float8[]", pgList("fa", "x::text"), duckList("fa", "x::VARCHAR")),
            new Col("ea", "mood[]", pgList("ea", "x::text"), duckList("ea", "x")));

    static final List<String> ROWS = List.of(
            // Extremes and the values that used to break: far timestamps, 24:00, DST-gap array elements.
            """
            ('2024-01-05 00:00:00+00', true, -32768, -2147483648, -9223372036854775808, 'NaN', '-Infinity',
             -9999999999.99, -9999900, -0.00999, -9999999999999999999999999999.9999999999, 'NaN',
             '', '', 'ab', '', 'x', '{}', '{}', '\\x', '00000000-0000-0000-0000-000000000000',
             '4713-11-24 BC', '4713-11-24 00:00:00 BC', '4713-11-24 00:00:00+00 BC', '24:00:00', '24:00:00+15:59',
             '-178000000 years', '-92233720368547758.08', '::1', 0, 'sad', 1, 'empty',
             '{"2024-03-31 02:30:00","1000-01-01 00:00:00",NULL,"2999-12-31 23:59:59.999999"}',
             '{"2024-03-31 02:30:00+00","1500-06-01 12:00:00+00"}',
             '{"2024-03-31","1000-01-01","4713-11-24 BC",NULL}', '{"24:00:00","00:00:00",NULL}',
             '{1,NULL,3}', '{"",NULL,"a,b","\\"q\\""}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}',
             '{"{\\"a\\": 1}",NULL,"[]"}', '{1.50,NULL,-999.99}', '{NaN,Infinity,-0,1e-320}', '{happy,NULL}')
            """,
            """
            ('2024-01-05 01:00:00+00', false, 32767, 2147483647, 9223372036854775807, 'Infinity', 'NaN',
             9999999999.99, 9999900, 0.00999, 9999999999999999999999999999.9999999999, '-1e-300',
             'héllo "wörld", 🎉 \t\n\\', 'ten chars!', 'a  ', 'pg_name', E'\\\\', '{"a": [1, 2, {"b": null}]}',
             '{"k": "v", "n": 1.50, "u": "\\u00e9"}', '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
             '5874897-12-31', '294246-12-31 23:59:59.999999', '294246-12-31 23:59:59.999999+00', '23:59:59.999999',
             '00:00:00-15:59', '1 year 2 mons 3 days 04:05:06.789', '92233720368547758.07', '2001:db8::/32', 4294967295,
             'happy', 2147483647, '[1,5)', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')
            """,
            """
            ('2024-01-05 02:00:00+00', NULL, 0, 0, 0, '-0', '-0', 0, 0, 0, 0, '1e1000',
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             '1970-01-01', '1677-09-21 00:12:43.145224', '2262-04-11 23:47:16.854776+00', '00:00:00', NULL,
             '0', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            """,
            """
            ('2024-01-05 03:00:00.000001+00', NULL, NULL, NULL, NULL, '1e-45', '4.9e-324', -0.01, -100, 0.00001,
             -0.0000000001, '-0.000000000000000000001', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             '1582-10-04', '1582-10-15 00:00:00', '1900-01-01 00:00:00+00', '12:34:56.5', NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL, '{"1582-10-14 23:59:59.999999"}', NULL, '{"1582-10-04"}', NULL, NULL, NULL,
             NULL, NULL, NULL, '{3.4028234663852886e38}', NULL)
            """);

    static ArchiveFixture edgeTable(String name) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE " + name + " (ts timestamptz NOT NULL");
        for (Col c : COLUMNS) {
            ddl.append(", ").append(c.name()).append(' ').append(c.type());
        }
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table(name, "ts", Granularity.DAILY, Duration.ofDays(1));
        f.sql("CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN positive AS int4 CHECK (VALUE > 0)",
                // Settings a database may carry: the export must not depend on any of them.
                "ALTER DATABASE " + database(f) + " SET DateStyle = 'SQL, DMY'",
                "ALTER DATABASE " + database(f) + " SET IntervalStyle = 'iso_8601'",
                "ALTER DATABASE " + database(f) + " SET TimeZone = 'America/St_Johns'",
                "ALTER DATABASE " + database(f) + " SET extra_float_digits = -15",
                ddl.append(")").toString(),
                "INSERT INTO " + name + " VALUES " + String.join(",", ROWS));
        return f;
    }

    private static String database(ArchiveFixture f) {
        return f.dsn.substring(f.dsn.lastIndexOf('/') + 1);
    }

    /** What PostgreSQL holds, as text under fixed settings, in timestamp order. */
    static List<List<String>> pgValues(ArchiveFixture f, String table) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < COLUMNS.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(COLUMNS.get(i).pg());
        }
        sql.append(" FROM ").append(table).append(" ORDER BY ts");
        try (Connection c = f.connect(); Statement st = c.createStatement()) {
            st.execute("SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; "
                    + "SET extra_float_digits = 1; SET lc_monetary = 'C'");
            try (ResultSet rs = st.executeQuery(sql.toString())) {
                return DuckDb.collect(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<List<String>> duckValues(Path root, String table) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < COLUMNS.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(COLUMNS.get(i).duck());
        }
        sql.append(" FROM ").append(DuckDb.table(root, table)).append(" ORDER BY ts");
        return DuckDb.rows(sql.toString());
    }

    @Test
    void everyEdgeValueIsArchivedExactlyAndReadBackByDuckDb() {
        ArchiveFixture f = edgeTable("edge");
        List<List<String>> before = pgValues(f, "edge");
        assertThat(before).hasSize(ROWS.size());

        RunReport report = f.runAll();

        assertThat(report.batches()).extracting(BatchOutcome::result).containsExactly(BatchOutcome.Result.DONE);
        assertThat(f.count("SELECT count(*) FROM edge")).isZero();
        Path file = f.root.resolve("edge/year=2024/month=01/day=05/data.parquet");
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            assertThat(reader.keyValueMetadata()).containsEntry("org.apache.spark.version", "3.0.0");
            Map<String, ColumnType> types = new java.util.HashMap<>();
            reader.columns().forEach(c -> types.put(c.name(), c.type()));
            // Arrays keep their elements' meaning: uuid[] as uuid text, jsonb[] as JSON.
            assertThat(types.get("jba").kind()).isEqualTo(ValueKind.JSON);
            assertThat(types.get("jba").list()).isTrue();
            assertThat(types.get("ua").kind()).isEqualTo(ValueKind.STRING);
            assertThat(types.get("u").kind()).isEqualTo(ValueKind.STRING);
            assertThat(types.get("tm").kind()).isEqualTo(ValueKind.STRING);
        }
        List<List<String>> after = duckValues(f.root, "edge");
        assertThat(after).hasSize(before.size());
        for (int r = 0; r < before.size(); r++) {
            for (int c = 0; c < COLUMNS.size(); c++) {
                String name = COLUMNS.get(c).name();
                String p = before.get(r).get(c);
                String d = after.get(r).get(c);
                if (name.startsWith("f")) {
                    // Engines spell floats differently ("NaN"/"nan", "-0"/"-0.0"): compare the values'
                    // bits. The value proof compared the archived bits with PostgreSQL's exactly.
                    assertThat(floats(d)).as("row %d column %s: %s vs %s", r, name, p, d).isEqualTo(floats(p));
                } else if (List.of("n", "nneg", "nfrac", "nbig").contains(name) && p != null) {
                    // DuckDB drops a leading zero ("-.00999"); value and scale must both agree.
                    assertThat(new BigDecimal(d)).as("row %d column %s", r, name).isEqualTo(new BigDecimal(p));
                } else {
                    assertThat(d).as("row %d column %s", r, name).isEqualTo(p);
                }
            }
        }
    }

    private static List<Long> floats(String text) {
        if (text == null) {
            return null;
        }
        List<Long> bits = new ArrayList<>();
        if (text.isEmpty()) {
            return bits;
        }
        for (String v : text.split(",", -1)) {
            String s = v.toLowerCase(Locale.ROOT);
            double x = switch (s) {
                case "nan" -> Double.NaN;
                case "inf", "infinity" -> Double.POSITIVE_INFINITY;
                case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                case "null" -> 42;
                default -> Double.parseDouble(s);
            };
            bits.add(s.equals("null") ? null : Double.doubleToRawLongBits(x));
        }
        return bits;
    }

    @Test
    void aValueNoArchivedTypeCanHoldFailsItsBatchNamingColumnRowAndRemedyWhileAnotherTableCompletes() throws Exception {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table("bad", "ts", Granularity.DAILY, Duration.ofDays(1))
                .table("good", "ts", Granularity.DAILY, Duration.ofDays(1));
        f.sql("CREATE TABLE bad (ts timestamptz NOT NULL, n numeric(5,2), t timestamp, d date, a int4[], tz timestamptz)",
                "CREATE TABLE good (ts timestamptz NOT NULL, v int4)",
                "INSERT INTO good SELECT timestamptz '2024-01-01 00:00+00' + g * interval '1 hour', g FROM generate_series(0, 71) g",
                "INSERT INTO bad VALUES ('2024-01-01 10:00:00+00', 1.5, NULL, NULL, NULL, NULL),"
                        + "('2024-01-01 11:00:00+00', 'NaN', NULL, NULL, NULL, NULL),"
                        + "('2024-01-02 12:00:00+00', NULL, 'infinity', NULL, NULL, NULL),"
                        + "('2024-01-03 13:00:00+00', NULL, NULL, '-infinity', NULL, NULL),"
                        + "('2024-01-04 14:00:00+00', NULL, NULL, NULL, '{{1,2},{3,4}}', NULL),"
                        + "('2024-01-05 15:00:00+00', NULL, NULL, NULL, '[0:1]={7,8}', NULL),"
                        + "('2024-01-06 16:00:00+00', NULL, NULL, NULL, NULL, '294270-01-01 00:00:00+00')");

        RunReport report = f.runAll();

        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("2024-01-01", "column \"n\" (numeric(5,2)) of the row with ts = 2024-01-01T11:00:00Z holds NaN");
        expected.put("2024-01-02", "column \"t\" (timestamp without time zone) of the row with ts = 2024-01-02T12:00:00Z holds infinity");
        expected.put("2024-01-03", "column \"d\" (date) of the row with ts = 2024-01-03T13:00:00Z holds -infinity");
        expected.put("2024-01-04", "column \"a\" (integer[]) of the row with ts = 2024-01-04T14:00:00Z holds a 2-dimensional array");
        expected.put("2024-01-05", "column \"a\" (integer[]) of the row with ts = 2024-01-05T15:00:00Z holds an array with lower bound 0");
        expected.put("2024-01-06", "column \"tz\" (timestamp with time zone) of the row with ts = 2024-01-06T16:00:00Z holds a timestamp after 294247");
        List<BatchOutcome> bad = report.batches().stream().filter(b -> b.table().equals("public.bad")).toList();
        assertThat(bad).hasSize(expected.size());
        for (BatchOutcome b : bad) {
            String day = b.window().start().toString().substring(0, 10);
            assertThat(b.result()).as(day).isEqualTo(BatchOutcome.Result.FAILED);
            assertThat(b.message()).as(day).contains(expected.get(day)).contains("extra_filters").contains("--force")
                    .doesNotContainIgnoringCase("internal error");
        }
        assertThat(f.manifests("bad")).hasSize(expected.size())
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.FAILED));
        assertThat(f.count("SELECT count(*) FROM bad")).isEqualTo(7);
        try (Stream<Path> files = Files.walk(f.root)) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString).filter(p -> p.contains("/bad/"))
                    .filter(p -> !p.contains("_manifests"))).isEmpty();
        }

        assertThat(report.batches().stream().filter(b -> b.table().equals("public.good")))
                .hasSize(3).allSatisfy(b -> assertThat(b.result()).isEqualTo(BatchOutcome.Result.DONE));
        assertThat(f.count("SELECT count(*) FROM good")).isZero();
        assertThat(f.manifests("good")).allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
    }

    /** A writer that alters the batch before writing it: a conversion bug between PostgreSQL and the file. */
    static UnaryOperator<ArchiveFormat> planted(Consumer<VectorSchemaRoot> bug) {
        return planted(bug, false);
    }

    /**
     * As {@link #planted}, with verification blind to values as well (it only counts the rows), so
     * the altered file becomes a DONE archive: what a reader of the archive must still catch.
     */
    static UnaryOperator<ArchiveFormat> plantedPastTheProof(Consumer<VectorSchemaRoot> bug) {
        return planted(bug, true);
    }

    private static UnaryOperator<ArchiveFormat> planted(Consumer<VectorSchemaRoot> bug, boolean blindProof) {
        return real -> new ArchiveFormat() {
            @Override
            public String extension() {
                return real.extension();
            }

            @Override
            public Map<String, String> footerMetadata(java.nio.file.Path file) {
                return real.footerMetadata(file);
            }

            @Override
            public ArchiveWriter newWriter(ObjectOutput out, Schema schema, Map<String, String> metadata) {
                ArchiveWriter w = real.newWriter(out, schema, metadata);
                return new ArchiveWriter() {
                    @Override
                    public void write(VectorSchemaRoot batch) {
                        bug.accept(batch);
                        w.write(batch);
                    }

                    @Override
                    public WrittenFile finish() {
                        return w.finish();
                    }

                    @Override
                    public WrittenFile finish(Map<String, String> closingMetadata) {
                        return w.finish(closingMetadata);
                    }

                    @Override
                    public void close() {
                        w.close();
                    }
                };
            }

            @Override
            public long decodeAll(Path file) {
                if (!blindProof) {
                    return real.decodeAll(file);
                }
                try (io.pgfreezer.format.ParquetArchiveReader reader = io.pgfreezer.format.ParquetArchiveReader.open(file)) {
                    long rows = 0;
                    while (reader.next()) {
                        rows++;
                    }
                    return rows;
                }
            }
        };
    }

    static ArchiveFixture plantedBug(Consumer<VectorSchemaRoot> bug) {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK).table("readings", "ts", Granularity.DAILY, Duration.ofDays(1))
                .format(planted(bug));
        f.sql("CREATE TABLE readings (ts timestamptz NOT NULL, taken timestamp, amount numeric(9,3))",
                "INSERT INTO readings SELECT timestamptz '2024-01-01 00:00+00' + g * interval '1 minute', "
                        + "timestamp '2024-03-31 01:00' + g * interval '1 minute', g * 1.125 FROM generate_series(0, 999) g");
        return f;
    }

    @Test
    void anUnexpectedErrorInOneTableFailsItsBatchAndTheOtherTableCompletes() throws Exception {
        ArchiveFixture f = ArchiveFixture.local().clock(CLOCK)
                .table("broken", "ts", Granularity.DAILY, Duration.ofDays(1))
                .table("fine", "ts", Granularity.DAILY, Duration.ofDays(1))
                .format(planted(batch -> {
                    if (batch.getVector("boom") != null) {
                        throw new IllegalStateException("planted defect");
                    }
                }));
        f.sql("CREATE TABLE broken (ts timestamptz NOT NULL, boom int4)",
                "CREATE TABLE fine (ts timestamptz NOT NULL, v int4)",
                "INSERT INTO broken SELECT timestamptz '2024-01-01 00:00+00' + g * interval '1 hour', g FROM generate_series(0, 47) g",
                "INSERT INTO fine SELECT timestamptz '2024-01-01 00:00+00' + g * interval '1 hour', g FROM generate_series(0, 47) g");

        RunReport report = f.runAll();

        assertThat(report.batches().stream().filter(b -> b.table().equals("public.broken")))
                .hasSize(2).allSatisfy(b -> {
                    assertThat(b.result()).isEqualTo(BatchOutcome.Result.FAILED);
                    assertThat(b.message()).contains("planted defect");
                });
        assertThat(f.manifests("broken")).allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.FAILED));
        assertThat(f.count("SELECT count(*) FROM broken")).isEqualTo(48);
        assertThat(report.batches().stream().filter(b -> b.table().equals("public.fine")))
                .hasSize(2).allSatisfy(b -> assertThat(b.result()).isEqualTo(BatchOutcome.Result.DONE));
        assertThat(f.count("SELECT count(*) FROM fine")).isZero();
        try (Stream<Path> files = Files.walk(f.root)) {
            assertThat(files.filter(Files::isRegularFile).map(Path::toString)
                    .filter(p -> p.contains("/broken/") && !p.contains("_manifests"))).isEmpty();
        }
    }

    @Test
    void aShiftedTimestampFailsVerificationAndNothingIsDeleted() {
        ArchiveFixture f = plantedBug(batch -> {
            TimeStampVector taken = (TimeStampVector) batch.getVector("taken");
            // One value, one hour late: what a DST-gap conversion through the JVM's zone did.
            taken.set(batch.getRowCount() - 1, taken.get(batch.getRowCount() - 1) + 3_600_000_000L);
        });
        assertFailedInVerification(f);
    }

    @Test
    void aRoundedNumericFailsVerificationAndNothingIsDeleted() {
        ArchiveFixture f = plantedBug(batch -> {
            DecimalVector amount = (DecimalVector) batch.getVector("amount");
            BigDecimal v = amount.getObject(1);
            amount.set(1, v.setScale(1, java.math.RoundingMode.HALF_UP).setScale(3));
        });
        assertFailedInVerification(f);
    }

    private static void assertFailedInVerification(ArchiveFixture f) {
        RunReport report = f.runAll();

        assertThat(report.batches()).singleElement().satisfies(b -> {
            assertThat(b.result()).isEqualTo(BatchOutcome.Result.FAILED);
            assertThat(b.message()).contains("Verification failed").contains("are not the values PostgreSQL sent");
        });
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(1000);
        BatchManifest m = f.manifests("readings").get(0);
        assertThat(m.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(m.verifiedAt()).isNull();
        assertThat(m.chunksDeleted()).isZero();
    }
}
