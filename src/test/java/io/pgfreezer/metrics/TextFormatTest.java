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
    void everyFamilyIsOneGaugeBlockWithHelpAndNoTotalSuffix() {
        String text = RunMetrics.of(new RunReport(), List.of("public.a", "public.b"), FINISHED).render();

        Map<String, PrometheusText.Family> families = PrometheusText.parse(text);

        assertThat(families.keySet()).containsExactly("pg_freezer_rows_archived", "pg_freezer_bytes_archived",
                "pg_freezer_batches", "pg_freezer_phase_seconds", "pg_freezer_last_run_timestamp_seconds",
                "pg_freezer_last_run_success", "pg_freezer_table_busy");
        assertThat(families.values()).allSatisfy(f -> {
            assertThat(f.type()).isEqualTo("gauge");
            assertThat(f.help()).isNotBlank();
            assertThat(f.name()).doesNotEndWith("_total");
            assertThat(f.series()).allSatisfy(s -> assertThat(s.labels()).containsKey("table"));
        });
    }

    @Test
    void aTableWithNothingToDoStillReportsZerosAFreshTimestampAndSuccess() {
        Map<String, PrometheusText.Family> f = PrometheusText.parse(
                RunMetrics.of(new RunReport(), List.of("public.a"), FINISHED).render());

        Map<String, String> a = Map.of("table", "public.a");
        assertThat(f.get("pg_freezer_rows_archived").value(a)).isZero();
        assertThat(f.get("pg_freezer_last_run_timestamp_seconds").value(a)).isEqualTo(1706788800.25);
        assertThat(f.get("pg_freezer_last_run_success").value(a)).isEqualTo(1);
        assertThat(f.get("pg_freezer_table_busy").value(a)).isZero();
        assertThat(f.get("pg_freezer_batches").series()).extracting(s -> s.labels().get("status"))
                .containsExactly("done", "failed", "skipped_failed", "error", "transient", "prune_pending", "dry_run");
        assertThat(f.get("pg_freezer_phase_seconds").series()).extracting(s -> s.labels().get("phase"))
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
