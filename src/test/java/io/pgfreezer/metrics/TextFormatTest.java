package io.pgfreezer.metrics;

import io.pgfreezer.engine.RunReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextFormatTest {
    static final Instant FINISHED = Instant.parse("2024-02-01T12:00:00.250Z");

    @Test
    void everyFamilyIsOneBlockWithHelpNamedByThePrometheusNamingGuide() {
        RunReport report = new RunReport();
        String text = RunMetrics.of(report, List.of("public.a", "public.b"), FINISHED,
                Map.of("public.a", new ArchivedTotals(10, 2048), "public.b", new ArchivedTotals(0, 0))).render();

        Map<String, PrometheusText.Family> families = PrometheusText.parse(text);

        assertThat(families.keySet()).containsExactly("pg_freezer_archived_rows_total", "pg_freezer_archived_bytes_total",
                "pg_freezer_last_run_archived_rows", "pg_freezer_last_run_archived_bytes",
                "pg_freezer_last_run_batches", "pg_freezer_last_run_phase_seconds", "pg_freezer_last_run_timestamp_seconds",
                "pg_freezer_last_run_success", "pg_freezer_table_busy");
        assertThat(families.values()).allSatisfy(f -> {
            assertThat(f.name()).matches("pg_freezer_[a-z_]+").doesNotContain("__");
            assertThat(f.help()).isNotBlank();
            // Counters, and only counters, end in _total; the unit comes last before it, in base units.
            assertThat(f.name().endsWith("_total")).as(f.name()).isEqualTo(f.type().equals("counter"));
            String base = f.name().replaceFirst("_total$", "");
            for (String unit : List.of("rows", "bytes", "seconds")) {
                if (base.contains("_" + unit + "_") || base.contains("_" + unit)) {
                    assertThat(base).as(f.name() + " ends in its unit").endsWith("_" + unit);
                }
            }
            assertThat(f.name()).doesNotContain("milliseconds", "kilobytes", "megabytes", "minutes");
            assertThat(f.series()).allSatisfy(s -> assertThat(s.labels()).containsKey("table"));
        });
        assertThat(families.get("pg_freezer_archived_bytes_total").value(Map.of("table", "public.a"))).isEqualTo(2048);
    }

    @Test
    void everyFamilyPgFreezerCanPublishFollowsTheGuideToo() {
        for (Family f : Family.values()) {
            assertThat(f.metricName.endsWith("_total")).as(f.metricName).isEqualTo(f.type == Family.Type.COUNTER);
            assertThat(f.metricName).as("no 'timestamp' without its unit")
                    .satisfiesAnyOf(n -> assertThat(n).doesNotContain("timestamp"), n -> assertThat(n).endsWith("_timestamp_seconds"));
        }
        assertThat(Family.BACKLOG_OLDEST_ROW_AGE_SECONDS.metricName).endsWith("_seconds");
    }

    @Test
    void aTableWithNothingToDoStillReportsZerosAFreshTimestampAndSuccess() {
        Map<String, PrometheusText.Family> f = PrometheusText.parse(
                RunMetrics.of(new RunReport(), List.of("public.a"), FINISHED).render());

        Map<String, String> a = Map.of("table", "public.a");
        assertThat(f.get("pg_freezer_last_run_archived_rows").value(a)).isZero();
        assertThat(f.get("pg_freezer_last_run_timestamp_seconds").value(a)).isEqualTo(1706788800.25);
        assertThat(f.get("pg_freezer_last_run_success").value(a)).isEqualTo(1);
        assertThat(f.get("pg_freezer_table_busy").value(a)).isZero();
        assertThat(f.get("pg_freezer_last_run_batches").series()).extracting(s -> s.labels().get("status"))
                .containsExactly("done", "failed", "skipped_failed", "error", "transient", "prune_pending", "dry_run");
        assertThat(f.get("pg_freezer_last_run_phase_seconds").series()).extracting(s -> s.labels().get("phase"))
                .containsExactly("export", "verify", "delete");
    }

    @Test
    void labelValuesWithQuotesBackslashesAndNewlinesAreEscaped() {
        String odd = "My \"Schema\".back\\slash\nnew line";
        String text = TextFormat.render(List.of(new Sample(Family.TABLE_BUSY, Map.of("table", odd), 1)));

        assertThat(text).contains("{table=\"My \\\"Schema\\\".back\\\\slash\\nnew line\"} 1\n");
        assertThat(PrometheusText.parse(text).get("pg_freezer_table_busy").value(Map.of("table", odd))).isEqualTo(1);
    }

    @Test
    void valuesHaveNoExponentAndWholeNumbersNoFraction() {
        assertThat(TextFormat.value(1440)).isEqualTo("1440");
        assertThat(TextFormat.value(0)).isEqualTo("0");
        assertThat(TextFormat.value(1706788800.25)).isEqualTo("1706788800.25");
        assertThat(TextFormat.value(0.000125)).isEqualTo("0.000125");
        assertThat(TextFormat.value(Double.NaN)).isEqualTo("NaN");
        assertThat(TextFormat.value(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    }

    @Test
    void parseReadsBackExactlyWhatRenderWrote() {
        RunMetrics metrics = RunMetrics.of(new RunReport(), List.of("public.a", "odd \"schema\".x\\y"), FINISHED);

        assertThat(TextFormat.parse(metrics.render())).containsExactlyInAnyOrderElementsOf(metrics.samples());
    }

    @Test
    void parseRejectsALineThatIsNotASampleNamingTheLine() {
        assertThatThrownBy(() -> TextFormat.parse("# TYPE pg_freezer_table_busy gauge\npg_freezer_table_busy{table=\"a} 1\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line 2: ");
        assertThatThrownBy(() -> TextFormat.parse("pg_freezer_table_busy one\n"))
                .hasMessageContaining("invalid value 'one'");
    }

    @Test
    void parseIgnoresFamiliesPgFreezerDoesNotWrite() {
        assertThat(TextFormat.parse("# TYPE other gauge\nother{table=\"a\"} 3\n")).isEmpty();
    }
}
