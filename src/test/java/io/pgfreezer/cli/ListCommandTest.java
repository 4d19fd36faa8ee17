package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfreezer.config.ConfigException;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.TestManifests;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.pgfreezer.cli.ManifestCommandFixture.fieldNames;
import static io.pgfreezer.cli.ManifestCommandFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

class ListCommandTest {
    private static final Instant EXPORTED = Instant.parse("2024-01-30T12:00:42.123456Z");

    private final ManifestCommandFixture fixture = new ManifestCommandFixture(
            table("sensor_readings", Granularity.DAILY), table("device_events", Granularity.MONTHLY));

    private final BatchManifest jan15 = TestManifests.done("public", "sensor_readings",
            TestManifests.daily("2024-01-15"), 12_500, 46_080, EXPORTED);
    private final BatchManifest jan16 = TestManifests.done("public", "sensor_readings",
            TestManifests.daily("2024-01-16"), 9_832, 38_912, EXPORTED);
    private final BatchManifest eventsJan = TestManifests.failedExport("public", "device_events",
            TestManifests.monthly("2024-01-01"), "Verification failed: S3 Parquet has 9800 rows, expected 10000");

    /**
     * The README's example, row for row. (The README's header puts SIZE and EXPORTED AT one
     * column to the right of their values; ours aligns the header with the values.)
     */
    @Test
    void humanOutputIsTheOriginalsListing() {
        fixture.save(eventsJan, jan16, jan15);

        var result = fixture.run(ListCommand::new);

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).containsExactly(
                "TABLE             PARTITION                       STATUS      ROWS     SIZE  EXPORTED AT",
                "----------------------------------------------------------------------------------------",
                "sensor_readings   year=2024/month=01/day=15       DONE      12,500    45 KB  2024-01-30T12:00",
                "sensor_readings   year=2024/month=01/day=16       DONE       9,832    38 KB  2024-01-30T12:00",
                "device_events     year=2024/month=01              FAILED         -        -  -",
                "  error: Verification failed: S3 Parquet has 9800 rows, expected 10000",
                "",
                "3 partition(s)  22,332 rows  83 KB");
    }

    @Test
    void aWindowThatLeftWithItsPartitionSaysSoUnderItsRowAndInTheJson() throws Exception {
        io.pgfreezer.engine.Window day = TestManifests.daily("2024-01-17");
        BatchManifest dropped = TestManifests.done("public", "sensor_readings", day, 144, 4_096, EXPORTED)
                .withPrune(new io.pgfreezer.manifest.PartitionPrune(io.pgfreezer.manifest.PartitionPrune.Step.DETACHING,
                        "\"public\".\"sensor_readings_20240117\"", "\"public\".\"sensor_readings\"", day.start(), day.end()))
                .withPrunedBy(BatchManifest.PRUNED_DROPPED);
        fixture.save(jan15, dropped);

        var human = fixture.run(ListCommand::new);
        var json = new ObjectMapper().readTree(fixture.run(ListCommand::new, "--json").out());

        assertThat(human.lines()).containsSubsequence(
                "sensor_readings   year=2024/month=01/day=17       DONE         144   4.0 KB  2024-01-30T12:00",
                "  partition: \"public\".\"sensor_readings_20240117\" dropped");
        assertThat(human.lines()).filteredOn(l -> l.startsWith("  partition:")).hasSize(1);
        assertThat(json.get(1).get("pruned_by").textValue()).isEqualTo("partition_dropped");
        assertThat(json.get(1).get("pruned_partition").textValue()).isEqualTo("\"public\".\"sensor_readings_20240117\"");
        assertThat(json.get(0).get("pruned_by").isNull()).isTrue();
    }

    @Test
    void emptyArchiveStillPrintsHeaderAndTotals() {
        var result = fixture.run(ListCommand::new);

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).hasSize(4).endsWith("", "0 partition(s)  0 rows  0 B");
    }

    @Test
    void tableOptionKeepsOneTable() {
        fixture.save(eventsJan, jan16, jan15);

        assertThat(partitions(fixture.run(ListCommand::new, "-t", "device_events")))
                .containsExactly("year=2024/month=01");
    }

    @Test
    void unknownTableIsAUsageErrorNamingIt() {
        var result = fixture.run(ListCommand::new, "--table", "nope");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.failure()).isInstanceOf(ConfigException.class).hasMessageContaining("'nope'");
    }

    @Test
    void fromIsInclusiveAndToIsExclusiveOnTheWindowStart() {
        fixture.save(eventsJan, jan16, jan15);

        assertThat(partitions(fixture.run(ListCommand::new, "--from", "2024-01-15", "--to", "2024-01-16")))
                .containsExactly("year=2024/month=01/day=15");
        assertThat(partitions(fixture.run(ListCommand::new, "--from", "2024-01-16")))
                .containsExactly("year=2024/month=01/day=16");
        assertThat(partitions(fixture.run(ListCommand::new, "--to", "2024-01-15T00:00:01Z")))
                .containsExactly("year=2024/month=01/day=15", "year=2024/month=01");
    }

    @Test
    void fromNotBeforeToIsAUsageError() {
        var result = fixture.run(ListCommand::new, "--from", "2024-02-01", "--to", "2024-01-01");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.failure()).isInstanceOf(ConfigException.class)
                .hasMessage("--from must be before --to");
    }

    @Test
    void statusOptionKeepsOneState() {
        fixture.save(eventsJan, jan16, jan15);

        var result = fixture.run(ListCommand::new, "--status", "FAILED");

        assertThat(partitions(result)).containsExactly("year=2024/month=01");
        assertThat(result.lines()).last().isEqualTo("1 partition(s)  0 rows  0 B");
    }

    @Test
    void lateBatchIsMarkedInThePartitionColumnAndCountedInTheTotals() {
        BatchManifest late = TestManifests.lateDone(jan15, 1, 40, 2_048, EXPORTED.plusSeconds(86_400 * 3));
        fixture.save(jan15, late);

        var result = fixture.run(ListCommand::new);

        assertThat(result.lines()).containsExactly(
                "TABLE             PARTITION                         STATUS      ROWS     SIZE  EXPORTED AT",
                "------------------------------------------------------------------------------------------",
                "sensor_readings   year=2024/month=01/day=15         DONE      12,500    45 KB  2024-01-30T12:00",
                "sensor_readings   year=2024/month=01/day=15 (late)  DONE          40   2.0 KB  2024-02-02T12:00",
                "",
                "2 partition(s)  12,540 rows  47 KB");
    }

    @Test
    void jsonHasOneObjectPerManifestWithTheOriginalsFields() throws Exception {
        fixture.save(eventsJan, jan16, jan15);

        var result = fixture.run(ListCommand::new, "--json");

        assertThat(result.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(3);
        JsonNode done = json.get(0);
        assertThat(fieldNames(done)).containsExactly("table", "schema", "partition", "window_start", "window_end",
                "status", "batch_id", "row_count", "size_bytes", "parquet_path", "exported_at", "verified_at",
                "deleted_at", "error", "kind", "pruned_by", "pruned_partition");
        assertThat(done.get("table").textValue()).isEqualTo("sensor_readings");
        assertThat(done.get("schema").textValue()).isEqualTo("public");
        assertThat(done.get("partition").textValue()).isEqualTo("year=2024/month=01/day=15");
        assertThat(done.get("status").textValue()).isEqualTo("DONE");
        assertThat(done.get("row_count").longValue()).isEqualTo(12_500);
        assertThat(done.get("size_bytes").longValue()).isEqualTo(46_080);
        assertThat(done.get("parquet_path").textValue()).isEqualTo(jan15.parquetPath());
        assertThat(done.get("exported_at").textValue()).isEqualTo("2024-01-30T12:00:42.123456+00:00");
        assertThat(done.get("batch_id").textValue()).isEqualTo("e4ad1b2a27064d51");
        assertThat(done.get("window_start").textValue()).isEqualTo("2024-01-15T00:00:00+00:00");
        assertThat(done.get("window_end").textValue()).isEqualTo("2024-01-16T00:00:00+00:00");
        assertThat(done.get("error").isNull()).isTrue();
        assertThat(done.get("kind").textValue()).isEqualTo("window");
        JsonNode failed = json.get(2);
        assertThat(failed.get("status").textValue()).isEqualTo("FAILED");
        assertThat(failed.get("batch_id").textValue()).isEqualTo("8eb87d3fb955c751");
        assertThat(failed.get("error").textValue()).isEqualTo("Verification failed: S3 Parquet has 9800 rows, expected 10000");
        assertThat(failed.get("parquet_path").textValue()).isEqualTo(eventsJan.parquetPath());
        for (String nullable : List.of("row_count", "size_bytes", "exported_at", "verified_at", "deleted_at")) {
            assertThat(failed.get(nullable).isNull()).as(nullable).isTrue();
        }
    }

    @Test
    void jsonOfNothingIsAnEmptyArray() throws Exception {
        var result = fixture.run(ListCommand::new, "--json", "--status", "DELETING");

        assertThat(new ObjectMapper().readTree(result.out()).isArray()).isTrue();
        assertThat(result.out().strip()).isEqualTo("[]");
    }

    @Test
    void storageIsClosedAfterwards() {
        fixture.run(ListCommand::new);

        assertThat(fixture.storage.isClosed()).isTrue();
    }

    /** The PARTITION column of the data rows. */
    private static List<String> partitions(ManifestCommandFixture.Result result) {
        assertThat(result.exitCode()).isZero();
        List<String> lines = result.lines();
        List<String> partitions = new ArrayList<>();
        for (String line : lines.subList(2, lines.size() - 2)) {
            if (line.startsWith(ListReport.ERROR_PREFIX)) {
                continue;
            }
            partitions.add(line.substring(18, 48).strip());
        }
        return partitions;
    }
}
