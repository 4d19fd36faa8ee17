package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfreezer.config.ConfigException;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.Window;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.TestManifests;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.pgfreezer.cli.ManifestCommandFixture.fieldNames;
import static io.pgfreezer.cli.ManifestCommandFixture.table;
import static org.assertj.core.api.Assertions.assertThat;

class StatusCommandTest {
    private static final Instant EXPORTED = Instant.parse("2024-02-15T03:00:00Z");
    private static final Instant LATEST = Instant.parse("2024-01-30T00:00:00Z");

    private final ManifestCommandFixture fixture = new ManifestCommandFixture(
            table("sensor_readings", Granularity.DAILY), table("device_events", Granularity.HOURLY));

    @Test
    void humanOutputIsTheOriginalsTable() {
        saveReadmeExample();

        var result = fixture.run(StatusCommand::new);

        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).containsExactly(
                "TABLE             TOTAL    DONE  FAILED   PENDING/OTHER  LATEST WINDOW",
                "----------------------------------------------------------------------",
                "sensor_readings     168     165       0               3  2024-01-30T00:00:00+00:00",
                "device_events        30      30       0               0  2024-01-30T00:00:00+00:00");
    }

    @Test
    void failOnFailedExitsOneWhileAnyShownBatchIsFailedAndStillPrintsTheReport() {
        fixture.save(TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"), 10, 100, EXPORTED),
                TestManifests.failedExport("public", "device_events", Window.containing(Instant.parse("2024-01-01T00:00:00Z"),
                        Granularity.HOURLY), "cannot upload"));

        var all = fixture.run(StatusCommand::new, "--fail-on-failed");
        var json = fixture.run(StatusCommand::new, "--fail-on-failed", "--json");
        var healthyTable = fixture.run(StatusCommand::new, "--fail-on-failed", "-t", "sensor_readings");
        var withoutOption = fixture.run(StatusCommand::new);

        assertThat(all.exitCode()).isEqualTo(1);
        assertThat(all.lines()).hasSize(4);
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.out()).contains("\"FAILED\": 1");
        assertThat(healthyTable.exitCode()).isZero();
        assertThat(withoutOption.exitCode()).isZero();
    }

    @Test
    void configuredTableWithoutManifestsIsShownEmpty() {
        fixture.save(TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15")));

        var result = fixture.run(StatusCommand::new);

        assertThat(result.lines().get(3))
                .isEqualTo("device_events         0       0       0               0  -");
    }

    @Test
    void manifestsOfTablesNoLongerConfiguredAreNotShown() {
        fixture.save(TestManifests.pending("public", "retired_table", TestManifests.daily("2024-01-15")));

        var result = fixture.run(StatusCommand::new);

        assertThat(result.out()).doesNotContain("retired_table");
        assertThat(result.lines()).hasSize(4);
    }

    @Test
    void longTableNamesWidenTheFirstColumnKeepingColumnsAligned() {
        ManifestCommandFixture wide = new ManifestCommandFixture(
                table("a_table_name_longer_than_sixteen", Granularity.DAILY), table("short", Granularity.DAILY));
        wide.save(TestManifests.done("public", "short", TestManifests.daily("2024-01-15"), 1, 1, EXPORTED));

        List<String> lines = wide.run(StatusCommand::new).lines();

        assertThat(lines.get(0)).isEqualTo(
                "TABLE                             TOTAL    DONE  FAILED   PENDING/OTHER  LATEST WINDOW");
        assertThat(lines.get(1)).hasSize(lines.get(0).length()).matches("-+");
        assertThat(lines.get(2)).isEqualTo(
                "a_table_name_longer_than_sixteen      0       0       0               0  -");
        assertThat(lines.get(3)).isEqualTo(
                "short                                 1       1       0               0  2024-01-15T00:00:00+00:00");
    }

    @Test
    void tableOptionShowsOnlyThatTableByNameOrSchemaQualifiedName() {
        saveReadmeExample();

        assertThat(fixture.run(StatusCommand::new, "-t", "device_events").lines())
                .hasSize(3).last().asString().startsWith("device_events        30");
        assertThat(fixture.run(StatusCommand::new, "--table", "public.sensor_readings").lines())
                .hasSize(3).last().asString().startsWith("sensor_readings     168");
    }

    @Test
    void unknownTableIsAUsageErrorNamingItAndTheConfiguredTables() {
        var result = fixture.run(StatusCommand::new, "-t", "sensor_reading");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.failure())
                .isInstanceOf(ConfigException.class)
                .hasMessage("table 'sensor_reading' is not configured; configured tables: "
                        + "public.sensor_readings, public.device_events");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void jsonIsTheOriginalsShapeWithOnlyThePresentStatesCounted() throws Exception {
        saveReadmeExample();
        fixture.save(TestManifests.failedExport("public", "device_events",
                new Window(LATEST.minus(Duration.ofDays(40)), LATEST.minus(Duration.ofDays(40)).plusSeconds(3600),
                        Granularity.HOURLY), "boom"));

        var result = fixture.run(StatusCommand::new, "--json");

        assertThat(result.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(2);
        JsonNode sensors = json.get(0);
        assertThat(fieldNames(sensors)).containsExactly("table", "total_batches", "status_counts", "latest_window");
        assertThat(sensors.get("table").textValue()).isEqualTo("public.sensor_readings");
        assertThat(sensors.get("total_batches").intValue()).isEqualTo(168);
        assertThat(fieldNames(sensors.get("status_counts"))).containsExactly("PENDING", "DONE");
        assertThat(sensors.get("status_counts").get("PENDING").intValue()).isEqualTo(3);
        assertThat(sensors.get("status_counts").get("DONE").intValue()).isEqualTo(165);
        assertThat(sensors.get("latest_window").textValue()).isEqualTo("2024-01-30T00:00:00+00:00");
        JsonNode events = json.get(1);
        assertThat(events.get("total_batches").intValue()).isEqualTo(31);
        assertThat(fieldNames(events.get("status_counts"))).containsExactly("DONE", "FAILED");
        assertThat(events.get("status_counts").get("FAILED").intValue()).isEqualTo(1);
    }

    @Test
    void jsonOfATableWithoutManifestsHasNoCountsAndANullLatestWindow() throws Exception {
        var result = fixture.run(StatusCommand::new, "--json", "-t", "device_events");

        JsonNode table = new ObjectMapper().readTree(result.out()).get(0);
        assertThat(table.get("total_batches").intValue()).isZero();
        assertThat(table.get("status_counts").isObject()).isTrue();
        assertThat(table.get("status_counts")).isEmpty();
        assertThat(table.get("latest_window").isNull()).isTrue();
    }

    @Test
    void lateBatchesCountAsBatches() {
        BatchManifest window = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"),
                10, 100, EXPORTED);
        BatchManifest late = TestManifests.lateDone(window, 1, 2, 20, EXPORTED.plusSeconds(86_400));
        BatchManifest lateFailed = TestManifests.lateDone(window, 2, 2, 20, EXPORTED)
                .withStatus(BatchStatus.DELETING).failed("guard");
        fixture.save(window, late, lateFailed);

        var result = fixture.run(StatusCommand::new, "-t", "sensor_readings");

        assertThat(result.lines().get(2))
                .isEqualTo("sensor_readings       3       2       1               0  2024-01-15T00:00:00+00:00");
    }

    @Test
    void storageIsClosedAfterwards() {
        fixture.run(StatusCommand::new);

        assertThat(fixture.storage.isClosed()).isTrue();
    }

    /** The README's example: 168 daily sensor batches (3 still pending), 30 hourly event batches. */
    private void saveReadmeExample() {
        List<BatchManifest> manifests = new ArrayList<>();
        for (int i = 0; i < 168; i++) {
            Window w = Window.containing(LATEST.minus(Duration.ofDays(167 - i)), Granularity.DAILY);
            manifests.add(i < 165
                    ? TestManifests.done("public", "sensor_readings", w, 100, 1_000, EXPORTED)
                    : TestManifests.pending("public", "sensor_readings", w));
        }
        for (int i = 0; i < 30; i++) {
            Window w = Window.containing(LATEST.minus(Duration.ofHours(29 - i)), Granularity.HOURLY);
            manifests.add(TestManifests.done("public", "device_events", w, 100, 1_000, EXPORTED));
        }
        fixture.save(manifests);
    }
}
