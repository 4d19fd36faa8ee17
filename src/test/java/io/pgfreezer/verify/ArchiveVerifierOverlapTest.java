package io.pgfreezer.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.pgfreezer.config.GlobalConfig.Compression;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.BatchIds;
import io.pgfreezer.engine.Window;
import io.pgfreezer.format.ArchiveMetadata;
import io.pgfreezer.format.ParquetArchiveWriter;
import io.pgfreezer.format.ValueDigest;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectOutput;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.pgfreezer.storage.StorageException;
import io.pgfreezer.testing.ForwardingStorage;

/**
 * A deep check of a large object decodes it while it downloads, with the footer read first from
 * the object's tail. The verdict must still be the one a complete copy gives: when the tail read
 * first is not the downloaded object's, when the download fails half way, and when a byte is
 * damaged. The archive is a real local directory of real Parquet files with value proofs; the
 * wrapper only changes what one read returns.
 */
class ArchiveVerifierOverlapTest {
    private static final TableConfig TABLE = new TableConfig("readings", "public", "recorded_at", Granularity.DAILY,
            Duration.ofDays(2), Optional.empty());
    private static final int ROWS = 120_000;

    @TempDir
    Path root;

    @TempDir
    Path temp;

    @Test
    void aLargeObjectDecodedWhileItDownloadsIsIntact() throws Exception {
        try (ObjectStorage real = files()) {
            BatchManifest m = archived(real, 1, 0);
            Recording recording = new Recording(real);

            ArchiveVerifier.Report report = deep(recording);

            assertThat(report.checks()).singleElement().satisfies(c -> {
                assertThat(c.result()).isEqualTo(ObjectCheck.Result.OK);
                assertThat(c.rowsDecoded()).isEqualTo((long) ROWS);
            });
            // The footer came from one ranged read of the tail, before the one read of the whole.
            assertThat(recording.ranges).containsExactly(m.parquetPath());
            assertThat(recording.opens.get()).isEqualTo(1);
        }
    }

    @Test
    void aTailThatIsNotTheDownloadedObjectsDoesNotDecideTheVerdict() throws Exception {
        try (ObjectStorage real = files()) {
            BatchManifest m = archived(real, 1, 0);
            BatchManifest other = archived(real, 2, 7);
            byte[] otherBytes = real.get(other.parquetPath()).orElseThrow();
            ForwardingStorage staleTail = new ForwardingStorage(real) {
                @Override
                public InputStream openRange(String key, long offset, long length) {
                    // Another file's footer, as if the key had held another object a moment before.
                    long from = Math.max(0, otherBytes.length - length);
                    return new ByteArrayInputStream(otherBytes, (int) from, (int) length);
                }
            };

            ArchiveVerifier.Report report = deep(staleTail);

            assertThat(report.checks()).filteredOn(c -> c.key().equals(m.parquetPath())).singleElement()
                    .satisfies(c -> {
                        assertThat(c.result()).isEqualTo(ObjectCheck.Result.OK);
                        assertThat(c.rowsDecoded()).isEqualTo((long) ROWS);
                    });
        }
    }

    @Test
    @Timeout(60)
    void aDownloadThatFailsHalfWayIsAStorageErrorNotDamage() throws Exception {
        try (ObjectStorage real = files()) {
            BatchManifest m = archived(real, 1, 0);
            long size = m.parquetSizeBytes();
            ForwardingStorage cut = new ForwardingStorage(real) {
                @Override
                public InputStream open(String key) {
                    if (!key.equals(m.parquetPath())) {
                        return super.open(key);
                    }
                    return new FilterInputStream(super.open(key)) {
                        private long read;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (read > size / 2) {
                                throw new IOException("connection reset");
                            }
                            int n = super.read(b, off, len);
                            read += Math.max(n, 0);
                            return n;
                        }
                    };
                }
            };

            assertThatThrownBy(() -> deep(cut))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("connection reset");
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("verify-decoder"));
            try (var left = Files.list(temp)) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void aDamagedPageOfAnObjectWithoutChecksumIsCorrupt() throws Exception {
        try (ObjectStorage real = files()) {
            // Inside the first row group's pages, far from the footer.
            archived(real, 1, 0, bytes -> bytes[bytes.length / 4] ^= 0x5a);

            ArchiveVerifier.Report report = deep(real);

            assertThat(report.checks()).singleElement().satisfies(c -> {
                assertThat(c.result()).isEqualTo(ObjectCheck.Result.CORRUPT);
                assertThat(c.detail()).startsWith("does not decode: ");
            });
        }
    }

    private ArchiveVerifier.Report deep(ObjectStorage storage) {
        // Every object is large enough here to be decoded as it arrives.
        return new ArchiveVerifier(storage, new StorageManifestStore(storage), temp, 0)
                .verify(List.of(TABLE), new ArchiveVerifier.Options(null, null, true, 1), ArchiveVerifier.Listener.NONE);
    }

    private ObjectStorage files() {
        return ObjectStorages.open(new StorageConfig(StorageConfig.Protocol.FILE, null, root, Optional.empty(),
                "us-east-1", Optional.empty(), Optional.empty(), false));
    }

    /** A day's archive as a run leaves it: a Parquet file of several row groups with its value proof, and a DONE manifest. */
    private static BatchManifest archived(ObjectStorage storage, int day, int seed) throws Exception {
        return archived(storage, day, seed, null);
    }

    /** As above; {@code damage} changes the file's bytes before its manifest, then without a checksum, records it. */
    private static BatchManifest archived(ObjectStorage storage, int day, int seed,
                                          java.util.function.Consumer<byte[]> damage) throws Exception {
        Window w = Window.containing(Instant.parse("2024-01-%02dT00:00:00Z".formatted(day)), Granularity.DAILY);
        String key = TABLE.name() + "/" + w.partition() + "/data.parquet";
        Schema schema = new Schema(List.of(field("recorded_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"),
                "timestamptz"), field("value", new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE), "float8"),
                field("unit", ArrowType.Utf8.INSTANCE, "text")));
        ValueDigest proof = new ValueDigest(List.of("recorded_at", "value", "unit"),
                List.of("timestamptz", "float8", "text"));
        try (BufferAllocator allocator = new RootAllocator(64L * 1024 * 1024);
             VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
             ObjectOutput out = storage.create(key);
             ParquetArchiveWriter writer = ParquetArchiveWriter.open(out, schema, Compression.SNAPPY, Map.of(),
                     1024 * 1024)) {
            long micros = w.start().toEpochMilli() * 1000;
            for (int from = 0; from < ROWS; from += 4096) {
                int n = Math.min(4096, ROWS - from);
                batch.allocateNew();
                for (int i = 0; i < n; i++) {
                    long r = from + i;
                    long at = micros + r * 700_000;
                    double value = (r * 31 + seed) * 0.125;
                    String unit = r % 3 == 0 ? "celsius" : "reading " + (r * 7919 + seed);
                    ((TimeStampMicroTZVector) batch.getVector(0)).setSafe(i, at);
                    ((Float8Vector) batch.getVector(1)).setSafe(i, value);
                    ((VarCharVector) batch.getVector(2)).setSafe(i, unit.getBytes(StandardCharsets.UTF_8));
                    proof.addRow(new Object[] {Instant.ofEpochSecond(at / 1_000_000, at % 1_000_000 * 1000), value,
                            unit}, r + 1);
                }
                batch.setRowCount(n);
                writer.write(batch);
            }
            writer.finish(Map.of(ArchiveMetadata.VALUE_DIGEST, proof.finish()));
            out.commit();
        }
        byte[] data = storage.get(key).orElseThrow();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        if (damage != null) {
            damage.accept(data);
            storage.put(key, data, "application/octet-stream");
            // As the original tool's manifests: no checksum, so only decoding can find the damage.
            sha = null;
        }
        BatchManifest m = BatchManifest.pending(BatchIds.of("public", TABLE.name(), w), "public", TABLE.name(),
                        w.partition(), w.start(), w.end(), key, BatchManifest.KIND_WINDOW, null)
                .transition(BatchStatus.EXPORTING)
                .withExport(ROWS, key, data.length, sha, List.of(new DeleteChunk(w.start(), w.end(), ROWS)), w.end())
                .transition(BatchStatus.UPLOADED).transition(BatchStatus.VERIFIED)
                .transition(BatchStatus.DELETING).transition(BatchStatus.DONE);
        new StorageManifestStore(storage).save(m);
        return m;
    }

    private static Field field(String name, ArrowType type, String wire) {
        return new Field(name, new FieldType(true, type, null, Map.of(ArchiveMetadata.WIRE, wire)), null);
    }

    /** Records which keys were read by range and how many whole reads there were; stalls the whole half way. */
    private static final class Recording extends ForwardingStorage {
        final List<String> ranges = new ArrayList<>();
        final AtomicInteger opens = new AtomicInteger();

        Recording(ObjectStorage delegate) {
            super(delegate);
        }

        @Override
        public InputStream openRange(String key, long offset, long length) {
            ranges.add(key);
            return super.openRange(key, offset, length);
        }

        @Override
        public InputStream open(String key) {
            if (!key.endsWith(".parquet")) {
                return super.open(key);
            }
            opens.incrementAndGet();
            long size = stat(key).orElseThrow().size();
            // A network that stalls half way: the decoding reaches bytes that have not arrived yet.
            return new FilterInputStream(super.open(key)) {
                private long read;
                private boolean stalled;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (!stalled && read > size / 2) {
                        stalled = true;
                        try {
                            Thread.sleep(1_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException();
                        }
                    }
                    int n = super.read(b, off, Math.min(len, 32 * 1024));
                    read += Math.max(n, 0);
                    return n;
                }
            };
        }
    }
}
