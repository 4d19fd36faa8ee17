package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Windows, partitions and batch ids as the original computes them. The expected ids were
 * computed independently: {@code echo -n 'KEY' | sha256sum | cut -c1-16}.
 */
class WindowsAndBatchIdsTest {

    static Instant t(String iso) {
        return Instant.parse(iso);
    }

    @ParameterizedTest(name = "{0}.{1} {2} .. {3} -> {4}")
    @CsvSource(delimiter = ';', value = {
            "public;sensor_readings;2024-01-15T00:00:00Z;2024-01-16T00:00:00Z;e4ad1b2a27064d51",
            "public;device_events;2024-01-01T00:00:00Z;2024-02-01T00:00:00Z;8eb87d3fb955c751",
            "public;device_events;2024-03-10T23:00:00Z;2024-03-11T00:00:00Z;ded2d402ad0798c9",
            "My Schema;Odd \"Tab\"le;2023-12-01T00:00:00Z;2024-01-01T00:00:00Z;f82f6d816a67b3b0",
            "public;t;2024-02-29T00:00:00Z;2024-03-01T00:00:00Z;0a799f93f8040fae",
            "public;t;2024-01-15T00:00:00.123456Z;2024-01-16T00:00:00Z;4f6d2991e2d8b278"})
    void batchIdsMatchTheOriginalsSha256OfSchemaTableAndPythonIsoInstants(String schema, String table, String start,
                                                                           String end, String expected) {
        assertThat(BatchIds.of(schema, table, new Window(t(start), t(end), Granularity.DAILY))).isEqualTo(expected);
    }

    @Test
    void instantsAreWrittenLikePythonsIsoformatWithFractionsOnlyWhenNonZero() {
        assertThat(IsoInstants.format(t("2024-01-15T00:00:00Z"))).isEqualTo("2024-01-15T00:00:00+00:00");
        assertThat(IsoInstants.format(t("2024-01-15T00:00:00.123456Z"))).isEqualTo("2024-01-15T00:00:00.123456+00:00");
        assertThat(IsoInstants.format(t("2024-01-15T00:00:00.5Z"))).isEqualTo("2024-01-15T00:00:00.500000+00:00");
        assertThat(IsoInstants.formatMicros(t("2024-01-15T00:00:00Z"))).isEqualTo("2024-01-15T00:00:00.000000+00:00");
    }

    @Test
    void instantsAreReadWithZOrOffsetAndWithOrWithoutFractions() {
        assertThat(IsoInstants.parse("2024-01-15T00:00:00+00:00")).isEqualTo(t("2024-01-15T00:00:00Z"));
        assertThat(IsoInstants.parse("2024-01-15T00:00:00Z")).isEqualTo(t("2024-01-15T00:00:00Z"));
        assertThat(IsoInstants.parse("2026-11-01T12:00:00.123456+00:00")).isEqualTo(t("2026-11-01T12:00:00.123456Z"));
        assertThat(IsoInstants.parse("2024-01-15T02:00:00+02:00")).isEqualTo(t("2024-01-15T00:00:00Z"));
    }

    @Test
    void monthlyWindowsFollowTheCalendarNotThirtyDays() {
        Window jan = Window.containing(t("2024-01-31T23:59:59Z"), Granularity.MONTHLY);
        assertThat(jan.start()).isEqualTo(t("2024-01-01T00:00:00Z"));
        assertThat(jan.end()).isEqualTo(t("2024-02-01T00:00:00Z"));
        Window feb = jan.next();
        assertThat(feb.end()).isEqualTo(t("2024-03-01T00:00:00Z"));
        assertThat(Window.containing(t("2023-12-15T10:00:00Z"), Granularity.MONTHLY).end())
                .isEqualTo(t("2024-01-01T00:00:00Z"));
    }

    @Test
    void dailyAndHourlyWindowsAreAlignedInUtc() {
        Window day = Window.containing(t("2024-03-10T23:30:00Z"), Granularity.DAILY);
        assertThat(day.start()).isEqualTo(t("2024-03-10T00:00:00Z"));
        assertThat(day.end()).isEqualTo(t("2024-03-11T00:00:00Z"));
        Window hour = Window.containing(t("2024-03-10T23:30:00Z"), Granularity.HOURLY);
        assertThat(hour.start()).isEqualTo(t("2024-03-10T23:00:00Z"));
        assertThat(hour.next().start()).isEqualTo(t("2024-03-11T00:00:00Z"));
    }

    @Test
    void partitionPathsAreHiveStyleAndZeroPadded() {
        assertThat(Window.containing(t("2024-01-05T03:00:00Z"), Granularity.MONTHLY).partition())
                .isEqualTo("year=2024/month=01");
        assertThat(Window.containing(t("2024-01-05T03:00:00Z"), Granularity.DAILY).partition())
                .isEqualTo("year=2024/month=01/day=05");
        assertThat(Window.containing(t("2024-01-05T03:00:00Z"), Granularity.HOURLY).partition())
                .isEqualTo("year=2024/month=01/day=05/hour=03");
    }

    @Test
    void aWindowIsEligibleOnceItsEndIsAtOrBeforeNowMinusLag() {
        TableConfig table = new TableConfig("t", "public", "ts", Granularity.DAILY, Duration.ofDays(2), Optional.empty());
        WindowPlanner planner = new WindowPlanner(table, t("2024-01-20T12:00:00Z"), Optional.empty(), Optional.empty());
        assertThat(planner.cutoff()).isEqualTo(t("2024-01-18T12:00:00Z"));
        assertThat(planner.eligible(Window.containing(t("2024-01-17T05:00:00Z"), Granularity.DAILY))).isTrue();
        assertThat(planner.eligible(Window.containing(t("2024-01-18T05:00:00Z"), Granularity.DAILY))).isFalse();
        WindowPlanner exact = new WindowPlanner(table, t("2024-01-20T00:00:00Z"), Optional.empty(), Optional.empty());
        assertThat(exact.eligible(Window.containing(t("2024-01-17T05:00:00Z"), Granularity.DAILY))).isTrue();
    }

    @Test
    void replayTakesOnlyWindowsLyingFullyInsideTheRange() {
        TableConfig table = new TableConfig("t", "public", "ts", Granularity.DAILY, Duration.ofDays(1), Optional.empty());
        WindowPlanner planner = new WindowPlanner(table, t("2024-02-01T00:00:00Z"),
                Optional.of(t("2024-01-10T12:00:00Z")), Optional.of(t("2024-01-13T00:00:00Z")));
        assertThat(planner.eligible(Window.containing(t("2024-01-10T13:00:00Z"), Granularity.DAILY))).isFalse();
        assertThat(planner.eligible(Window.containing(t("2024-01-11T00:00:00Z"), Granularity.DAILY))).isTrue();
        assertThat(planner.eligible(Window.containing(t("2024-01-12T00:00:00Z"), Granularity.DAILY))).isTrue();
        assertThat(planner.eligible(Window.containing(t("2024-01-13T00:00:00Z"), Granularity.DAILY))).isFalse();
    }

    @Test
    void lateBatchesHaveIdsOfTheirOwnPerSequence() {
        String window = "e4ad1b2a27064d51";
        assertThat(BatchIds.late(window, 1)).hasSize(16).isNotEqualTo(window).isNotEqualTo(BatchIds.late(window, 2));
        assertThat(BatchIds.late(window, 1)).isEqualTo(BatchIds.late(window, 1));
    }
}
