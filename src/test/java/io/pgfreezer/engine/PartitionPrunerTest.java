package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.Retention;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.source.PartitionProof;
import io.pgfreezer.source.TablePartition;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which partition a window goes with, from the partitions the catalog lists, and what its cheap proof may rely on. */
class PartitionPrunerTest {

    static PartitionPruner pruner(Granularity windows) {
        TableConfig t = new TableConfig("metrics", "public", "ts", windows, Duration.ofDays(1), Optional.empty(),
                Retention.DROP, Optional.empty());
        return new PartitionPruner(t, null, null, Clock.systemUTC(), null);
    }

    static TablePartition range(String name, String parent, String from, String to) {
        return new TablePartition("public", name, "public", parent, Instant.parse(from), Instant.parse(to), false, false,
                false);
    }

    static TablePartition defaultPartition() {
        return new TablePartition("public", "metrics_default", "public", "metrics", null, null, true, false, false);
    }

    static Window daily(String start) {
        return Window.containing(Instant.parse(start), Granularity.DAILY);
    }

    static Window hourly(String start) {
        return Window.containing(Instant.parse(start), Granularity.HOURLY);
    }

    @Test
    void aDailyPartitionGoesWithItsDailyWindowAndWithEachOfItsHourlyOnes() {
        TablePartition day = range("metrics_0122", "metrics", "2024-01-22T00:00:00Z", "2024-01-23T00:00:00Z");

        assertThat(pruner(Granularity.DAILY).unitOf(daily("2024-01-22T00:00:00Z"), List.of(day)).partition()).isEqualTo(day);
        assertThat(pruner(Granularity.HOURLY).unitOf(hourly("2024-01-22T17:00:00Z"), List.of(day)).partition()).isEqualTo(day);
    }

    @Test
    void aMonthlyPartitionIsTooLongForDailyWindows() {
        TablePartition month = range("metrics_01", "metrics", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");

        PartitionPruner.Unit u = pruner(Granularity.DAILY).unitOf(daily("2024-01-22T00:00:00Z"), List.of(month));

        assertThat(u.partition()).isNull();
        assertThat(u.fallback()).isEqualTo("partition \"public\".\"metrics_01\" spans more than one window");
        assertThat(pruner(Granularity.MONTHLY).unitOf(Window.containing(Instant.parse("2024-01-05T00:00:00Z"),
                Granularity.MONTHLY), List.of(month)).partition()).isEqualTo(month);
    }

    @Test
    void theDeepestSubPartitionHoldingTheWindowIsTheUnit() {
        TablePartition month = range("metrics_01", "metrics", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
        TablePartition day = range("metrics_0122", "metrics_01", "2024-01-22T00:00:00Z", "2024-01-23T00:00:00Z");

        assertThat(pruner(Granularity.DAILY).unitOf(daily("2024-01-22T00:00:00Z"), List.of(month, day)).partition())
                .isEqualTo(day);
    }

    @Test
    void windowsAcrossABoundaryOrInTheDefaultPartitionFallBack() {
        TablePartition shifted = range("metrics_x", "metrics", "2024-01-22T06:00:00Z", "2024-01-23T06:00:00Z");

        assertThat(pruner(Granularity.DAILY).unitOf(daily("2024-01-22T00:00:00Z"), List.of(shifted, defaultPartition()))
                .fallback()).isEqualTo("the window cuts across a partition boundary");
        assertThat(pruner(Granularity.DAILY).unitOf(daily("2024-01-25T00:00:00Z"), List.of(shifted, defaultPartition()))
                .fallback()).isEqualTo("the window's rows are in the DEFAULT partition");
    }

    @Test
    void aPartitionSomeoneLeftDetachPendingIsNotTakenForAUnit() {
        TablePartition pending = new TablePartition("public", "metrics_0122", "public", "metrics",
                Instant.parse("2024-01-22T00:00:00Z"), Instant.parse("2024-01-23T00:00:00Z"), false, true, false);

        assertThat(pruner(Granularity.DAILY).unitOf(daily("2024-01-22T00:00:00Z"), List.of(pending)).partition()).isNull();
    }

    static BatchManifest deleting(String hour, Long xmin) {
        Window w = hourly(hour);
        return BatchManifest.pending(BatchIds.of("public", "metrics", w), "public", "metrics", "p", w.start(), w.end(),
                        "metrics/data.parquet", BatchManifest.KIND_WINDOW, null)
                .withStatus(BatchStatus.DELETING).withSnapshotXmin(xmin);
    }

    @Test
    void theCheapProofTakesTheOldestSnapshotAndOnlyTheHoursExportsRecordedOneFor() {
        List<BatchManifest> members = List.of(
                deleting("2024-01-22T00:00:00Z", 900L),
                deleting("2024-01-22T01:00:00Z", 700L),
                deleting("2024-01-22T02:00:00Z", null),
                deleting("2024-01-22T03:00:00Z", 800L),
                deleting("2024-01-22T05:00:00Z", 950L),
                // Its rows were deleted row by row: the partition need not hold them, so no export speaks for that hour.
                deleting("2024-01-22T06:00:00Z", 600L).withStatus(BatchStatus.DONE).withPrunedBy(BatchManifest.PRUNED_ROWS));

        PartitionProof.Unchanged u = PartitionPruner.unchanged(members);

        assertThat(u.snapshotXmin()).isEqualTo(700L);
        assertThat(u.covered()).containsExactly(
                new PartitionProof.Span(Instant.parse("2024-01-22T00:00:00Z"), Instant.parse("2024-01-22T02:00:00Z")),
                new PartitionProof.Span(Instant.parse("2024-01-22T03:00:00Z"), Instant.parse("2024-01-22T04:00:00Z")),
                new PartitionProof.Span(Instant.parse("2024-01-22T05:00:00Z"), Instant.parse("2024-01-22T06:00:00Z")));
        assertThat(PartitionPruner.unchanged(List.of(deleting("2024-01-22T00:00:00Z", null)))).isNull();
    }
}
