package io.pgfreezer.cli;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestCodec;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.manifest.TestManifests;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.storage.StorageException;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.pgfreezer.cli.ManifestCommandFixture.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** status and list answer the same with, without and despite a manifest index. */
class ManifestIndexCommandsTest {
    private static final Instant EXPORTED = Instant.parse("2024-02-15T03:00:00Z");
    private static final String INDEX = StorageManifestStore.indexKey("sensor_readings");

    private final ManifestCommandFixture fixture = new ManifestCommandFixture(
            table("sensor_readings", Granularity.DAILY), table("device_events", Granularity.HOURLY));
    private final List<BatchManifest> days = new ArrayList<>();

    /** Each query the list command offers, and status, in both output forms. */
    private static final List<List<String>> QUERIES = List.of(
            List.of("status"), List.of("status", "--json"),
            List.of("list"), List.of("list", "--json"), List.of("list", "-t", "sensor_readings"),
            List.of("list", "--from", "2024-01-05", "--to", "2024-01-09", "--json"),
            List.of("list", "--status", "FAILED", "--json"), List.of("list", "--status", "DONE"),
            List.of("list", "--status", "PENDING", "-t", "sensor_readings", "--json"));

    @BeforeEach
    void seed() {
        for (int day = 1; day <= 12; day++) {
            days.add(TestManifests.done("public", "sensor_readings", TestManifests.daily(String.format("2024-01-%02d", day)),
                    1_000 + day, 20_000 + day, EXPORTED));
        }
        days.add(TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-13")));
        days.add(TestManifests.failedExport("public", "sensor_readings", TestManifests.daily("2024-01-14"), "disk full"));
        fixture.save(days);
        fixture.save(TestManifests.done("public", "device_events", TestManifests.daily("2024-01-01"), 5, 5, EXPORTED));
    }

    private List<String> answers() {
        List<String> out = new ArrayList<>();
        for (List<String> q : QUERIES) {
            var result = q.get(0).equals("status")
                    ? fixture.run(StatusCommand::new, q.subList(1, q.size()).toArray(String[]::new))
                    : fixture.run(ListCommand::new, q.subList(1, q.size()).toArray(String[]::new));
            assertThat(result.exitCode()).as(String.join(" ", q) + ": " + result.err()).isZero();
            out.add(result.out());
        }
        return out;
    }

    @Test
    void rebuildIndexWritesEachTablesIndexAndChangesNoAnswer() {
        List<String> without = answers();

        var rebuilt = fixture.run(StatusCommand::new, "--rebuild-index", "--json");

        assertThat(rebuilt.exitCode()).isZero();
        assertThat(rebuilt.err()).contains("rebuilt the manifest index of public.sensor_readings: 14 manifest(s)")
                .contains("rebuilt the manifest index of public.device_events: 1 manifest(s)");
        assertThat(rebuilt.out()).isEqualTo(without.get(1));
        assertThat(fixture.storage.keys()).contains(INDEX, StorageManifestStore.indexKey("device_events"));
        assertThat(answers()).isEqualTo(without);
    }

    @Test
    void manifestsChangedAfterTheIndexWinInEveryQuery() {
        fixture.run(StatusCommand::new, "--rebuild-index");
        BatchManifest nowFailed = days.get(6).withStatus(BatchStatus.FAILED);
        // Commands close the storage when they end; these writes stand for another process's.
        fixture.storage.reopen().put(StorageManifestStore.key("sensor_readings", nowFailed.batchId()),
                ManifestCodec.encode(nowFailed), "application/json");
        fixture.storage.delete(StorageManifestStore.key("sensor_readings", days.get(2).batchId()));
        fixture.save(TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-20"), 9, 9, EXPORTED));

        List<String> withStaleIndex = answers();
        fixture.storage.reopen().delete(INDEX);

        assertThat(withStaleIndex).isEqualTo(answers());
        assertThat(withStaleIndex.get(6)).contains(nowFailed.batchId());
    }

    @Test
    void garbledIndexChangesNoAnswer() {
        List<String> without = answers();
        fixture.storage.reopen().put(INDEX, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3}, "application/gzip");

        assertThat(answers()).isEqualTo(without);
    }

    @Test
    void afterARunEachCoveredTablesIndexIsWritten() {
        StorageManifestStore store = new StorageManifestStore(fixture.storage.reopen());

        ArchiveRunner.refreshIndexes(fixture.config, RunOptions.run(Optional.of("device_events"), false, false), store);
        assertThat(fixture.storage.keys()).contains(StorageManifestStore.indexKey("device_events")).doesNotContain(INDEX);

        ArchiveRunner.refreshIndexes(fixture.config, RunOptions.run(Optional.empty(), false, false), store);
        assertThat(fixture.storage.keys()).contains(INDEX);
    }

    @Test
    void anIndexThatCannotBeWrittenIsOnlyAWarning() {
        fixture.storage.reopen();
        var refusing = new ForwardingStorage(fixture.storage) {
            @Override
            public String put(String key, byte[] data, String contentType, Precondition condition) {
                if (key.startsWith("_manifest_index/")) {
                    throw new StorageException("access denied for " + key);
                }
                return super.put(key, data, contentType, condition);
            }
        };

        assertThatCode(() -> ArchiveRunner.refreshIndexes(fixture.config, RunOptions.run(Optional.empty(), false, false),
                new StorageManifestStore(refusing))).doesNotThrowAnyException();
        assertThat(fixture.storage.keys()).doesNotContain(INDEX);
    }
}
