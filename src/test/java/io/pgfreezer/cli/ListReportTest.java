package io.pgfreezer.cli;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.PartitionPrune;
import io.pgfreezer.manifest.TestManifests;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ListReportTest {
    private static final Instant AT = Instant.parse("2024-02-01T03:04:05.123456Z");

    @Test
    void streamedJsonIsExactlyTheTreesTextEveryFieldAndNullIncluded() {
        BatchManifest done = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"), 42, 4_096, AT);
        BatchManifest pruned = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-16"), 7, 512, AT)
                .withPrune(new PartitionPrune(PartitionPrune.Step.values()[0], "\"public\".\"p_20240116\"",
                        "\"public\".\"sensor_readings\"", AT, AT.plusSeconds(86_400)))
                .withPrunedBy(BatchManifest.PRUNED_DROPPED);
        List<BatchManifest> manifests = List.of(done, pruned,
                TestManifests.lateDone(done, 1, 3, 99, AT),
                TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-17")),
                TestManifests.failedExport("public", "sensor_readings", TestManifests.daily("2024-01-18"),
                        "boom \"quoted\"\nsecond line \u00e9"));
        for (List<BatchManifest> some : List.of(manifests, List.<BatchManifest>of())) {
            ListReport report = new ListReport(some);
            StringWriter text = new StringWriter();
            PrintWriter out = new PrintWriter(text);
            report.print(out, true);

            assertThat(text.toString()).isEqualTo(report.json() + System.lineSeparator());
        }
    }
}
