package io.pgfreezer.verify;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.engine.BatchIds;
import io.pgfreezer.engine.Window;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Objects are read in parallel, never more at once than asked for. The archive is a real local
 * directory; the wrapper only counts the streams open at the same time.
 */
class ArchiveVerifierParallelismTest {
    private static final TableConfig TABLE = new TableConfig("readings", "public", "recorded_at", Granularity.DAILY,
            Duration.ofDays(2), Optional.empty());

    @TempDir
    Path root;

    @TempDir
    Path temp;

    @Test
    void atMostTheConfiguredNumberOfObjectsAreReadAtOnce() throws Exception {
        try (ObjectStorage real = ObjectStorages.open(new StorageConfig(StorageConfig.Protocol.FILE, null, root,
                Optional.empty(), "us-east-1", Optional.empty(), Optional.empty(), false))) {
            StorageManifestStore store = new StorageManifestStore(real);
            for (int day = 1; day <= 12; day++) {
                archived(real, store, Window.containing(Instant.parse("2024-01-%02dT00:00:00Z".formatted(day)),
                        Granularity.DAILY), day);
            }
            Counting counting = new Counting(real, 3);

            ArchiveVerifier.Report report = new ArchiveVerifier(counting, new StorageManifestStore(counting), temp)
                    .verify(List.of(TABLE), new ArchiveVerifier.Options(null, null, false, 3),
                            ArchiveVerifier.Listener.NONE);

            assertThat(report.checks()).hasSize(12).allMatch(c -> c.result() == ObjectCheck.Result.OK);
            assertThat(counting.max.get()).isEqualTo(3);
        }
    }

    /** An object with its DONE manifest, as a run leaves them (the bytes need not be Parquet without --deep). */
    private static void archived(ObjectStorage storage, StorageManifestStore store, Window w, int seed)
            throws Exception {
        byte[] data = ("object " + seed + " ").repeat(1000).getBytes();
        String key = TABLE.name() + "/" + w.partition() + "/data.parquet";
        storage.put(key, data, "application/octet-stream");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        BatchManifest m = BatchManifest.pending(BatchIds.of("public", TABLE.name(), w), "public", TABLE.name(),
                        w.partition(), w.start(), w.end(), key, BatchManifest.KIND_WINDOW, null)
                .transition(BatchStatus.EXPORTING)
                .withExport(10, key, data.length, sha, List.of(new DeleteChunk(w.start(), w.end(), 10)), w.end())
                .transition(BatchStatus.UPLOADED).transition(BatchStatus.VERIFIED)
                .transition(BatchStatus.DELETING).transition(BatchStatus.DONE);
        store.save(m);
    }

    /**
     * Counts the object streams open at once. Each stream holds its first read until {@code target}
     * streams are open (or a second passes), so a verifier that reads in parallel reaches the
     * target for certain, and one that exceeded it would be seen doing so.
     */
    private static final class Counting extends ForwardingStorage {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        private final int target;

        Counting(ObjectStorage delegate, int target) {
            super(delegate);
            this.target = target;
        }

        @Override
        public InputStream open(String key) {
            if (!key.endsWith(".parquet")) {
                return super.open(key);
            }
            max.accumulateAndGet(open.incrementAndGet(), Math::max);
            return new FilterInputStream(super.open(key)) {
                private boolean waited;
                private boolean closed;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (!waited) {
                        waited = true;
                        long until = System.nanoTime() + 1_000_000_000L;
                        while (open.get() < target && System.nanoTime() < until) {
                            try {
                                Thread.sleep(1);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IOException("interrupted", e);
                            }
                        }
                    }
                    return super.read(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    if (!closed) {
                        closed = true;
                        open.decrementAndGet();
                    }
                    super.close();
                }
            };
        }
    }
}
