package io.pgfreezer.manifest;

import io.pgfreezer.engine.Window;
import io.pgfreezer.testing.InMemoryObjectStorage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageManifestStoreTest {
    private static final Instant AT = Instant.parse("2024-01-30T12:00:00.123456Z");

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private final StorageManifestStore store = new StorageManifestStore(storage);

    @Test
    void manifestIsStoredUnderTheOriginalsKey() {
        store.save(TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"), 12_500, 46_080, AT));

        assertThat(storage.keys()).containsExactly("_manifests/sensor_readings/e4ad1b2a27064d51.json");
    }

    @Test
    void savedManifestLoadsBackEqual() {
        BatchManifest m = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"), 12_500, 46_080, AT);

        store.save(m);

        assertThat(store.load("sensor_readings", m.batchId())).contains(m);
    }

    @Test
    void saveReplacesThePreviousVersion() {
        BatchManifest pending = TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15"));
        store.save(pending);

        store.save(pending.transition(BatchStatus.EXPORTING));

        assertThat(store.load("sensor_readings", pending.batchId()).orElseThrow().status())
                .isEqualTo(BatchStatus.EXPORTING);
        assertThat(storage.keys()).hasSize(1);
    }

    @Test
    void absentManifestLoadsAsEmpty() {
        assertThat(store.load("sensor_readings", "0000000000000000")).isEmpty();
    }

    @Test
    void manifestWrittenByTheOriginalIsRead() {
        storage.put("_manifests/sensor_readings/e4ad1b2a27064d51.json",
                TestManifests.originalBytes(TestManifests.ORIGINAL_DONE), "application/json");

        assertThat(store.load("sensor_readings", "e4ad1b2a27064d51").orElseThrow().rowCount()).isEqualTo(12_500L);
    }

    @Test
    void listReturnsOneTablesManifestsByWindowWithLateBatchesAfterTheirWindow() {
        BatchManifest jan15 = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"), 1, 1, AT);
        BatchManifest jan14 = TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-14"));
        BatchManifest late1 = TestManifests.lateDone(jan15, 1, 1, 1, AT);
        BatchManifest late2 = TestManifests.lateDone(jan15, 2, 1, 1, AT);
        BatchManifest other = TestManifests.pending("public", "device_events", TestManifests.daily("2024-01-01"));
        for (BatchManifest m : List.of(jan15, late2, other, jan14, late1)) {
            store.save(m);
        }

        List<BatchManifest> listed = store.list("sensor_readings");

        List<BatchManifest> lateByBatchId = new ArrayList<>(List.of(late1, late2));
        lateByBatchId.sort(Comparator.comparing(BatchManifest::batchId));
        assertThat(listed).hasSize(4);
        assertThat(listed.subList(0, 2)).containsExactly(jan14, jan15);
        assertThat(listed.subList(2, 4)).containsExactlyElementsOf(lateByBatchId);
    }

    @Test
    void listIgnoresObjectsThatAreNotManifestsOfThatTable() {
        store.save(TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15")));
        storage.put("_manifests/sensor_readings/notes.txt", new byte[]{1}, "text/plain");
        storage.put("_manifests/sensor_readings/old/x.json", new byte[]{1}, "application/json");
        storage.put("_manifests/sensor_readings_v2/abc.json", new byte[]{1}, "application/json");

        assertThat(store.list("sensor_readings")).hasSize(1);
    }

    /** Only a batch id names a manifest; no other name is read, however much it looks like one. */
    @Test
    void jsonObjectsNotNamedByABatchIdAreNotReadAsManifests() {
        BatchManifest saved = TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15"));
        store.save(saved);
        byte[] copy = storage.read(StorageManifestStore.key("sensor_readings", saved.batchId())).orElseThrow().data();
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        storage.put("_manifests/sensor_readings/notes.json", garbage, "application/json");
        storage.put("_manifests/sensor_readings/" + saved.batchId().toUpperCase(java.util.Locale.ROOT) + ".json", copy,
                "application/json");
        storage.put("_manifests/sensor_readings/" + saved.batchId().substring(1) + ".json", garbage, "application/json");
        storage.put("_manifests/sensor_readings/" + saved.batchId() + "0.json", garbage, "application/json");
        storage.put("_manifests/sensor_readings/copy of " + saved.batchId() + ".json", copy, "application/json");

        assertThat(store.list("sensor_readings")).containsExactly(saved);
        assertThat(store.tables()).containsExactly("sensor_readings");
        assertThat(store.refreshIndex("sensor_readings").manifests()).isEqualTo(1);
        assertThat(new StorageManifestStore(storage).list("sensor_readings")).containsExactly(saved);
    }

    @Test
    void tableWithoutManifestsListsEmpty() {
        assertThat(store.list("sensor_readings")).isEmpty();
        assertThat(store.tables()).isEmpty();
    }

    @Test
    void tablesAreTheNamesThatHaveManifests() {
        store.save(TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15")));
        store.save(TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-16")));
        store.save(TestManifests.pending("public", "device_events", TestManifests.daily("2024-01-15")));
        storage.put("_manifests/README.txt", new byte[]{1}, "text/plain");

        assertThat(store.tables()).containsExactly("device_events", "sensor_readings");
    }

    @Test
    void unreadableManifestFailsTheListingNamingIt() {
        store.save(TestManifests.pending("public", "sensor_readings", TestManifests.daily("2024-01-15")));
        storage.put("_manifests/sensor_readings/badbadbadbadbad0.json",
                "{\"version\": 1".getBytes(StandardCharsets.UTF_8), "application/json");

        assertThatThrownBy(() -> store.list("sensor_readings"))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("mem://test/_manifests/sensor_readings/badbadbadbadbad0.json");
    }

    /**
     * Status over a long-archived table must not pay one round trip per manifest in sequence.
     * The storage imitates a remote bucket's latency and records overlapping reads; how fast
     * this is in wall time is measured by the benchmark, not asserted here.
     */
    @Test
    void tenThousandManifestsAreReadConcurrentlyAndAllReturned() {
        Instant start = Instant.parse("2020-01-01T00:00:00Z");
        List<BatchManifest> saved = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Window w = new Window(start.plus(Duration.ofHours(i)), start.plus(Duration.ofHours(i + 1)),
                    io.pgfreezer.config.Granularity.HOURLY);
            BatchManifest m = TestManifests.pending("public", "sensor_readings", w);
            saved.add(m);
        }
        List<BatchManifest> shuffled = new ArrayList<>(saved);
        Collections.shuffle(shuffled, new Random(42));
        shuffled.forEach(store::save);
        storage.withGetLatency(Duration.ofMillis(2));

        List<BatchManifest> listed = store.list("sensor_readings");

        assertThat(listed).containsExactlyElementsOf(saved);
        assertThat(storage.getCount()).isEqualTo(10_000);
        assertThat(storage.maxConcurrentGets()).isGreaterThan(1)
                .isLessThanOrEqualTo(StorageManifestStore.DEFAULT_PARALLELISM);
    }

    @Test
    void parallelismOfOneReadsSequentially() {
        StorageManifestStore sequential = new StorageManifestStore(storage, 1);
        for (int day = 10; day < 20; day++) {
            sequential.save(TestManifests.pending("public", "t", TestManifests.daily("2024-01-" + day)));
        }

        assertThat(sequential.list("t")).hasSize(10);
        assertThat(storage.maxConcurrentGets()).isEqualTo(1);
    }
}
