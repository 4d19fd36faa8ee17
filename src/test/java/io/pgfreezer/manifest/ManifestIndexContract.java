package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.VersionedBytes;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The manifest index against a real backend: whatever the index says, a listing through it must
 * equal reading every manifest, and it may only save reads. Subclasses give the backend.
 */
abstract class ManifestIndexContract {
    static final String TABLE = "sensor_readings";
    private static final Instant AT = Instant.parse("2024-03-01T04:05:06.123456Z");

    /** A fresh, empty backend for each test. */
    protected abstract ObjectStorage openStorage();

    ObjectStorage storage;
    private CountingStorage counting;
    private final List<BatchManifest> done = new ArrayList<>();
    private BatchManifest pending;
    private BatchManifest failed;

    @BeforeEach
    void seed() {
        storage = openStorage();
        counting = new CountingStorage(storage);
        StorageManifestStore writer = new StorageManifestStore(storage);
        for (int day = 1; day <= 20; day++) {
            BatchManifest m = TestManifests.done("public", TABLE, TestManifests.daily(String.format("2024-01-%02d", day)),
                    100 + day, 4_000 + day, AT);
            writer.save(m);
            done.add(m);
        }
        BatchManifest late = TestManifests.lateDone(done.get(3), 1, 7, 700, AT);
        writer.save(late);
        done.add(late);
        pending = TestManifests.pending("public", TABLE, TestManifests.daily("2024-01-21"));
        writer.save(pending);
        failed = TestManifests.failedExport("public", TABLE, TestManifests.daily("2024-01-22"), "disk full");
        writer.save(failed);
        // Another table's manifests share the root and must stay out of this table's index.
        writer.save(TestManifests.done("public", "device_events", TestManifests.daily("2024-01-01"), 1, 1, AT));
    }

    @AfterEach
    void closeStorage() {
        storage.close();
    }

    /** Reading every manifest, with any index hidden from the store. */
    private List<BatchManifest> everyManifest() {
        return new StorageManifestStore(new HidingIndex(storage)).list(TABLE);
    }

    private List<BatchManifest> listFresh() {
        counting.reset();
        return new StorageManifestStore(counting).list(TABLE);
    }

    private void writeIndex() {
        StorageManifestStore.IndexUpdate update = new StorageManifestStore(storage).refreshIndex(TABLE);
        assertThat(update.written()).isTrue();
        assertThat(update.manifests()).isEqualTo(done.size() + 2);
    }

    @Test
    void listingThroughTheIndexEqualsReadingEveryManifestAndReadsOnlyWhatIsNotDone() {
        List<BatchManifest> expected = everyManifest();
        assertThat(listFresh()).isEqualTo(expected);
        assertThat(counting.manifestReads.get()).isEqualTo(expected.size());

        writeIndex();

        assertThat(listFresh()).isEqualTo(expected);
        assertThat(counting.indexReads.get()).isEqualTo(1);
        // The PENDING and the FAILED one: the run may save them, so their version must be current.
        assertThat(counting.readKeys).containsExactlyInAnyOrder(
                StorageManifestStore.key(TABLE, pending.batchId()), StorageManifestStore.key(TABLE, failed.batchId()));
    }

    @Test
    void deletingTheIndexChangesNothingButTheNumberOfReads() {
        writeIndex();
        List<BatchManifest> withIndex = listFresh();
        int readsWithIndex = counting.manifestReads.get();

        storage.delete(StorageManifestStore.indexKey(TABLE));

        assertThat(listFresh()).isEqualTo(withIndex).isEqualTo(everyManifest());
        assertThat(counting.manifestReads.get()).isEqualTo(done.size() + 2).isGreaterThan(readsWithIndex);
        assertThat(counting.indexReads.get()).as("no GET for an index the listing does not show").isZero();
    }

    @Test
    void manifestChangedAfterTheIndexWasWrittenWins() {
        writeIndex();
        BatchManifest edited = done.get(5).withExport(999_999, done.get(5).parquetPath(), 1, "ab".repeat(32),
                List.of(), AT);
        BatchManifest failedByHand = done.get(6).withStatus(BatchStatus.FAILED);
        // Written by someone else (the original, an operator): straight to storage, no store involved.
        storage.put(StorageManifestStore.key(TABLE, edited.batchId()), ManifestCodec.encode(edited), "application/json");
        storage.put(StorageManifestStore.key(TABLE, failedByHand.batchId()), ManifestCodec.encode(failedByHand),
                "application/json");

        List<BatchManifest> listed = listFresh();

        assertThat(listed).isEqualTo(everyManifest());
        assertThat(listed).contains(edited, failedByHand).doesNotContain(done.get(5), done.get(6));
        assertThat(counting.readKeys).contains(StorageManifestStore.key(TABLE, edited.batchId()));
    }

    @Test
    void manifestsAddedOrDeletedAfterTheIndexWasWrittenAreSeenAsTheyAre() {
        writeIndex();
        BatchManifest added = TestManifests.done("public", TABLE, TestManifests.daily("2024-01-25"), 5, 5, AT);
        new StorageManifestStore(storage).save(added);
        storage.delete(StorageManifestStore.key(TABLE, done.get(0).batchId()));

        List<BatchManifest> listed = listFresh();

        assertThat(listed).isEqualTo(everyManifest()).contains(added).doesNotContain(done.get(0));
    }

    @Test
    void garbledForeignOrOtherVersionIndexIsIgnoredAndRewritten() throws Exception {
        writeIndex();
        byte[] valid = storage.get(StorageManifestStore.indexKey(TABLE)).orElseThrow();
        String json = gunzip(valid);
        StorageManifestStore other = new StorageManifestStore(storage);
        other.refreshIndex("device_events");
        byte[] foreign = storage.get(StorageManifestStore.indexKey("device_events")).orElseThrow();

        List<byte[]> bad = List.of(
                "not an index at all".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOf(valid, valid.length / 2),
                gzip("{\"format\": \"pg-freezer-manifest-index\""),
                gzip("[1, 2, 3]"),
                gzip(json.replace("\"format_version\":1", "\"format_version\":2")),
                gzip(json.replace("\"format_version\":1", "\"format_version\":0")),
                gzip(json.replace("pg-freezer-manifest-index", "someone-elses-index")),
                gzip(json.replace("\"count\":" + (done.size() + 2), "\"count\":" + (done.size() + 1))),
                gzip(json.replace("\"status\":\"DONE\"", "\"status\":\"DONE-ISH\"")),
                foreign);
        List<BatchManifest> expected = everyManifest();
        for (byte[] index : bad) {
            storage.put(StorageManifestStore.indexKey(TABLE), index, "application/gzip");

            assertThat(listFresh()).isEqualTo(expected);
            assertThat(counting.manifestReads.get()).as("an untrusted index saves no reads").isEqualTo(expected.size());

            assertThat(new StorageManifestStore(storage).refreshIndex(TABLE).written()).isTrue();
            assertThat(listFresh()).isEqualTo(expected);
            assertThat(counting.manifestReads.get()).as("the rewritten index is usable").isEqualTo(2);
        }
    }

    @Test
    void aManifestKnownOnlyFromTheIndexIsNeverOverwrittenButAResumedOneSavesNormally() {
        writeIndex();
        StorageManifestStore run = new StorageManifestStore(storage);
        List<BatchManifest> listed = run.list(TABLE);
        BatchManifest resumed = listed.stream().filter(m -> m.batchId().equals(pending.batchId())).findFirst().orElseThrow();

        run.save(resumed.transition(BatchStatus.EXPORTING));

        assertThat(run.load(TABLE, pending.batchId()).orElseThrow().status()).isEqualTo(BatchStatus.EXPORTING);
        // Its version was never read: a save could only be blind, so it must be refused.
        assertThatThrownBy(() -> run.save(done.get(2).withDeletedAt(AT.plusSeconds(1))))
                .isInstanceOf(ManifestConflictException.class);
        assertThat(new StorageManifestStore(storage).load(TABLE, done.get(2).batchId())).contains(done.get(2));
    }

    @Test
    void refreshAfterARunReadsNothingTheRunAlreadyKnows() {
        writeIndex();
        StorageManifestStore run = new StorageManifestStore(counting);
        List<BatchManifest> planned = run.list(TABLE);
        run.save(pending.transition(BatchStatus.EXPORTING));
        BatchManifest added = TestManifests.done("public", TABLE, TestManifests.daily("2024-01-26"), 5, 5, AT);
        run.save(added);
        counting.reset();

        StorageManifestStore.IndexUpdate update = run.refreshIndex(TABLE);

        assertThat(update.written()).isTrue();
        assertThat(update.read()).isZero();
        assertThat(counting.manifestReads.get()).isZero();
        assertThat(planned).hasSize(done.size() + 2);
        assertThat(listFresh()).isEqualTo(everyManifest()).contains(added);
        assertThat(counting.manifestReads.get()).as("only PENDING/FAILED/EXPORTING ones").isEqualTo(2);
    }

    @Test
    void aRunThatChangedNothingSkipsTheRefreshAndOneThatSavedRefreshes() {
        writeIndex();
        StorageManifestStore idle = new StorageManifestStore(counting);
        idle.list(TABLE);
        counting.reset();

        assertThat(idle.refreshIndex(TABLE).written()).isFalse();
        assertThat(counting.listings.get()).as("the index was current at the planning listing").isZero();

        StorageManifestStore working = new StorageManifestStore(counting);
        working.list(TABLE);
        working.save(pending.transition(BatchStatus.EXPORTING));
        counting.reset();

        assertThat(working.refreshIndex(TABLE).written()).isTrue();
        assertThat(counting.listings.get()).as("the manifests, and the index key").isEqualTo(2);
        assertThat(listFresh()).isEqualTo(everyManifest());
    }

    @Test
    void unchangedManifestsLeaveTheIndexUntouched() {
        writeIndex();
        Optional<ObjectInfo> before = storage.stat(StorageManifestStore.indexKey(TABLE));

        StorageManifestStore.IndexUpdate update = new StorageManifestStore(storage).refreshIndex(TABLE);

        assertThat(update.written()).isFalse();
        assertThat(storage.stat(StorageManifestStore.indexKey(TABLE))).isEqualTo(before);
    }

    @Test
    void rebuildIgnoresTheStoredIndexAndReadsEveryManifest() {
        writeIndex();
        // An index whose versions match but whose content lies can only come from outside; rebuild is the cure.
        String json = gunzip(storage.get(StorageManifestStore.indexKey(TABLE)).orElseThrow());
        storage.put(StorageManifestStore.indexKey(TABLE), gzip(json.replace("\"row_count\":101", "\"row_count\":1")),
                "application/gzip");

        counting.reset();
        StorageManifestStore.IndexUpdate update = new StorageManifestStore(counting).rebuildIndex(TABLE);

        assertThat(update.read()).isEqualTo(done.size() + 2);
        assertThat(counting.indexReads.get()).isZero();
        assertThat(listFresh()).isEqualTo(everyManifest());
        assertThat(listFresh()).filteredOn(m -> m.batchId().equals(done.get(0).batchId()))
                .extracting(BatchManifest::rowCount).containsExactly(101L);
    }

    @Test
    void aTableListedInPartsShowsExactlyItsManifestsAndNoObjectNotNamedByABatchId() {
        List<BatchManifest> manifests = everyManifest();
        byte[] content = storage.get(StorageManifestStore.key(TABLE, done.get(0).batchId())).orElseThrow();
        // Copies of a real manifest around and between the sixteen digit parts, by code point:
        // before '0', between '9' and 'a' (uppercase included), after 'f', non-ASCII, and names
        // that start with a digit but are no batch id. None is any window's manifest.
        List<String> odd = List.of("+early", "0", "9~", ":colon", "A0B1", "ZZ-by-hand", "_under", "`tick",
                "g-after", "zz", "~tilde", "\u00e9-accent", done.get(1).batchId().toUpperCase(java.util.Locale.ROOT),
                done.get(1).batchId() + "0", done.get(1).batchId().substring(2), done.get(1).batchId() + ".json");
        for (String name : odd) {
            storage.put(StorageManifestStore.ROOT + TABLE + "/" + name + ".json", content, "application/json");
        }
        assertThat(manifests).hasSize(done.size() + 2);
        // Three keys a page: every part and every stretch between them takes more than one page.
        for (int pageSize : new int[] {1, 3, 1000}) {
            assertThat(new StorageManifestStore(storage, 4, Clock.systemUTC(), pageSize).list(TABLE))
                    .as("page size %d", pageSize).isEqualTo(manifests);
        }
        writeIndexOf(done.size() + 2);
        assertThat(new StorageManifestStore(storage, 4, Clock.systemUTC(), 3).list(TABLE)).isEqualTo(manifests);
    }

    private void writeIndexOf(int manifests) {
        StorageManifestStore.IndexUpdate update = new StorageManifestStore(storage).refreshIndex(TABLE);
        assertThat(update.manifests()).isEqualTo(manifests);
    }

    @Test
    void twoWritersAtOnceLeaveAValidIndex() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                CyclicBarrier start = new CyclicBarrier(2);
                int r = round;
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        StorageManifestStore store = new StorageManifestStore(storage);
                        store.save(TestManifests.done("public", TABLE,
                                TestManifests.daily(String.format("2024-02-%02d", 1 + r * 2 + writer)), 1, 1, AT));
                        start.await();
                        return store.refreshIndex(TABLE);
                    }));
                }
                for (Future<?> f : writers) {
                    f.get();
                }
                List<BatchManifest> listed = listFresh();
                assertThat(listed).isEqualTo(everyManifest());
                assertThat(counting.indexReads.get()).isEqualTo(1);
                // A usable index: whatever one writer missed is read, never more than both added.
                assertThat(counting.manifestReads.get()).isBetween(2, 4);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aChangedManifestThatReadsAsMissingIsAnErrorNotAnAbsentManifest() {
        writeIndex();
        String vanishing = StorageManifestStore.key(TABLE, done.get(1).batchId());
        storage.put(vanishing, ManifestCodec.encode(done.get(1).withDeletedAt(AT.plusSeconds(5))), "application/json");
        ObjectStorage lying = new ForwardingStorage(storage) {
            @Override
            public Optional<VersionedBytes> read(String key) {
                return key.equals(vanishing) ? Optional.empty() : super.read(key);
            }
        };

        assertThatThrownBy(() -> new StorageManifestStore(lying).list(TABLE))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining(done.get(1).batchId());
    }

    @Test
    void originalsManifestsLoadWithAndWithoutAnIndexAndTheIndexIsNoManifestOrTable() {
        ObjectStorage fresh = openStorage();
        try {
            fresh.put(StorageManifestStore.key(TABLE, "e4ad1b2a27064d51"),
                    TestManifests.originalBytes(TestManifests.ORIGINAL_DONE), "application/json");
            fresh.put(StorageManifestStore.key(TABLE, "8eb87d3fb955c751"),
                    TestManifests.originalBytes(TestManifests.ORIGINAL_FAILED), "application/json");
            List<BatchManifest> original = new StorageManifestStore(fresh).list(TABLE);
            assertThat(original).extracting(BatchManifest::batchId)
                    .containsExactlyInAnyOrder("e4ad1b2a27064d51", "8eb87d3fb955c751");

            new StorageManifestStore(fresh).refreshIndex(TABLE);
            // An index of only itself must not make a table appear where there are no manifests.
            new StorageManifestStore(fresh).refreshIndex("empty_table");

            CountingStorage reads = new CountingStorage(fresh);
            StorageManifestStore store = new StorageManifestStore(reads);
            assertThat(store.list(TABLE)).isEqualTo(original);
            // The original's FAILED fixture names another table inside this table's prefix: listed
            // as the listing finds it, and the index answers for the DONE one.
            assertThat(reads.readKeys).containsExactly(StorageManifestStore.key(TABLE, "8eb87d3fb955c751"));
            assertThat(store.tables()).containsExactly(TABLE);
            // The manifest directories hold exactly what the original left there, whatever it reads.
            assertThat(fresh.list(StorageManifestStore.ROOT)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(
                    StorageManifestStore.key(TABLE, "e4ad1b2a27064d51"), StorageManifestStore.key(TABLE, "8eb87d3fb955c751"));
            assertThat(fresh.stat(StorageManifestStore.indexKey(TABLE))).isPresent();
            assertThat(fresh.stat(StorageManifestStore.indexKey("empty_table"))).isEmpty();
        } finally {
            fresh.close();
        }
    }

    static String gunzip(byte[] data) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Counts GETs of this table's manifests and of its index. */
    static final class CountingStorage extends ForwardingStorage {
        final AtomicInteger manifestReads = new AtomicInteger();
        final AtomicInteger indexReads = new AtomicInteger();
        final AtomicInteger listings = new AtomicInteger();
        final List<String> readKeys = java.util.Collections.synchronizedList(new ArrayList<>());

        CountingStorage(ObjectStorage delegate) {
            super(delegate);
        }

        void reset() {
            manifestReads.set(0);
            indexReads.set(0);
            listings.set(0);
            readKeys.clear();
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            listings.incrementAndGet();
            return super.list(prefix);
        }

        @Override
        public Optional<VersionedBytes> read(String key) {
            if (key.equals(StorageManifestStore.indexKey(TABLE))) {
                indexReads.incrementAndGet();
            } else if (key.startsWith(StorageManifestStore.ROOT + TABLE + "/")) {
                manifestReads.incrementAndGet();
                readKeys.add(key);
            }
            return super.read(key);
        }
    }

    /** The bucket as the original left it: no index, whatever is stored. */
    static final class HidingIndex extends ForwardingStorage {
        HidingIndex(ObjectStorage delegate) {
            super(delegate);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return super.list(prefix).stream().filter(i -> !i.key().startsWith(ManifestIndex.ROOT)).toList();
        }

        @Override
        public Optional<VersionedBytes> read(String key) {
            return key.startsWith(ManifestIndex.ROOT) ? Optional.empty() : super.read(key);
        }
    }
}
