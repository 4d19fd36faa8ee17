package io.pgfreezer.engine;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestConflictException;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.TestManifests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestWriterTest {
    private final BatchManifest pending = TestManifests.pending("public", "readings", TestManifests.daily("2024-01-20"));

    /** Records each save's manifest and thread; a save may be held until the test releases it. */
    private static final class RecordingStore implements ManifestStore {
        final List<BatchManifest> saved = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        volatile int mostAtOnce;
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile RuntimeException failure;

        @Override
        public void save(BatchManifest manifest) {
            mostAtOnce = Math.max(mostAtOnce, running.incrementAndGet());
            try {
                hold.await(10, TimeUnit.SECONDS);
                if (failure != null) {
                    throw failure;
                }
                saved.add(manifest);
                threads.add(Thread.currentThread().getName());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public Optional<BatchManifest> load(String table, String batchId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<BatchManifest> list(String table) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> tables() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void savesLandInOrderOneAtATimeOffTheCallersThread() {
        RecordingStore store = new RecordingStore();
        try (ManifestWriter writer = new ManifestWriter(store)) {
            for (int i = 1; i <= 5; i++) {
                writer.saveInBackground(pending.withChunksDeleted(i));
            }
            writer.awaitSaved();
        }
        assertThat(store.saved).extracting(BatchManifest::chunksDeleted).containsExactly(1, 2, 3, 4, 5);
        assertThat(store.mostAtOnce).isEqualTo(1);
        assertThat(store.threads).doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void awaitSavedReturnsOnlyOnceTheSaveHasLanded() throws Exception {
        RecordingStore store = new RecordingStore();
        store.hold = new CountDownLatch(1);
        try (ManifestWriter writer = new ManifestWriter(store)) {
            writer.saveInBackground(pending.withChunksDeleted(1));
            Thread releaser = new Thread(() -> {
                sleep(200);
                store.hold.countDown();
            });
            releaser.start();
            writer.awaitSaved();
            assertThat(store.saved).hasSize(1);
            releaser.join();
        }
    }

    @Test
    void aFailedSaveIsThrownToTheNextCallerThatWaitsForIt() {
        RecordingStore store = new RecordingStore();
        store.failure = new ManifestConflictException("changed in storage", null);
        ManifestWriter writer = new ManifestWriter(store);
        writer.saveInBackground(pending.withChunksDeleted(1));

        assertThatThrownBy(writer::awaitSaved).isSameAs(store.failure);
        // Reported once; the writer holds nothing more in flight.
        writer.awaitSaved();
        writer.close();
    }

    @Test
    void aSaveStillInFlightWhenTheCallerUnwindsIsWaitedForAndItsFailureSuppressed() {
        RecordingStore store = new RecordingStore();
        store.failure = new ManifestConflictException("changed in storage", null);
        IllegalStateException primary = new IllegalStateException("the delete failed");

        assertThatThrownBy(() -> {
            try (ManifestWriter writer = new ManifestWriter(store)) {
                writer.saveInBackground(pending.withChunksDeleted(1));
                throw primary;
            }
        }).isSameAs(primary);
        assertThat(primary.getSuppressed()).containsExactly(store.failure);
        assertThat(store.running.get()).isZero();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
