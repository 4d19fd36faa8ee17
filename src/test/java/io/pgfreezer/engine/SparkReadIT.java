package io.pgfreezer.engine;

import io.pgfreezer.testing.ArchiveFixture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark in local mode reads the default archive with no schema of its own (no UUID or TIME
 * annotation it refuses, no calendar rebase of old dates and timestamps), and each value is the
 * one PostgreSQL held. The JVM runs in a zone with DST.
 */
class SparkReadIT {
    private static TimeZone jvmZone;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
        spark = SparkSession.builder().master("local[1]").appName("pg-freezer-read")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                // Spark 3.x's default; Spark 4 reads such files as they are either way.
                .config("spark.sql.parquet.datetimeRebaseModeInRead", "EXCEPTION")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        TimeZone.setDefault(jvmZone);
    }

    /** Column name and Spark's text of its value, as ExactValuesIT's PostgreSQL text spells it. */
    record Read(String column, String spark) {
    }

    static String list(String col, String element) {
        return "CASE WHEN %1$s IS NULL THEN NULL ELSE concat_ws(',', transform(%1$s, x -> coalesce(%2$s, 'null'))) END"
                .formatted(col, element);
    }

    static final List<Read> READS = List.of(
            new Read("b", "CAST(b AS STRING)"),
            new Read("i2", "CAST(i2 AS STRING)"),
            new Read("i4", "CAST(i4 AS STRING)"),
            new Read("i8", "CAST(i8 AS STRING)"),
            new Read("n", "CAST(n AS STRING)"),
            new Read("nneg", "CAST(nneg AS STRING)"),
            new Read("nfrac", "CAST(nfrac AS STRING)"),
            new Read("nbig", "CAST(nbig AS STRING)"),
            new Read("nfree", "nfree"),
            new Read("t", "t"),
            new Read("j", "j"),
            new Read("jb", "jb"),
            new Read("raw", "lower(hex(raw))"),
            new Read("u", "u"),
            new Read("d", "CAST(datediff(d, DATE'1970-01-01') AS STRING)"),
            new Read("tsl", "CAST(unix_micros(CAST(tsl AS TIMESTAMP)) AS STRING)"),
            new Read("tz", "CAST(unix_micros(tz) AS STRING)"),
            new Read("tm", "tm"),
            new Read("iv", "iv"),
            new Read("e", "e"),
            new Read("tsa", list("tsa", "CAST(unix_micros(CAST(x AS TIMESTAMP)) AS STRING)")),
            new Read("da", list("da", "CAST(datediff(x, DATE'1970-01-01') AS STRING)")),
            new Read("tma", list("tma", "x")),
            new Read("ia", list("ia", "CAST(x AS STRING)")),
            new Read("ta", list("ta", "x")),
            new Read("ua", list("ua", "x")),
            new Read("jba", list("jba", "x")),
            new Read("na", list("na", "CAST(x AS STRING)")));

    @Test
    void sparkReadsEveryEdgeValueAsPostgreSqlHeldIt() {
        ArchiveFixture f = ExactValuesIT.edgeTable("edge");
        List<List<String>> pg = ExactValuesIT.pgValues(f, "edge");
        assertThat(f.runAll().batches()).extracting(BatchOutcome::result).containsExactly(BatchOutcome.Result.DONE);

        spark.read().parquet(f.root.resolve("edge").toString()).createOrReplaceTempView("edge");
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < READS.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(READS.get(i).spark());
        }
        List<Row> rows = spark.sql(sql + " FROM edge ORDER BY ts").collectAsList();

        assertThat(rows).hasSize(pg.size());
        List<String> names = ExactValuesIT.COLUMNS.stream().map(ExactValuesIT.Col::name).toList();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < READS.size(); c++) {
                String column = READS.get(c).column();
                String expected = pg.get(r).get(names.indexOf(column));
                String actual = rows.get(r).getString(c);
                if (List.of("n", "nneg", "nfrac", "nbig").contains(column) && expected != null) {
                    assertThat(new BigDecimal(actual)).as("row %d column %s", r, column).isEqualTo(new BigDecimal(expected));
                } else if (column.equals("na") && expected != null) {
                    assertThat(decimals(actual)).as("row %d column %s", r, column).isEqualTo(decimals(expected));
                } else {
                    assertThat(actual).as("row %d column %s", r, column).isEqualTo(expected);
                }
            }
        }
    }

    private static List<BigDecimal> decimals(String text) {
        List<BigDecimal> out = new ArrayList<>();
        if (!text.isEmpty()) {
            for (String v : text.split(",")) {
                out.add(v.equals("null") ? null : new BigDecimal(v));
            }
        }
        return out;
    }
}
