package io.pgfreezer.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ObjectStorage} backend promises, proved against a real store. Subclasses
 * supply a fresh, empty store whose streaming writes use parts of {@link #PART_SIZE}.
 */
abstract class ObjectStorageContract {

    static final long PART_SIZE = S3WriteSettings.MIN_PART_SIZE;
    private static final int CHUNK = 64 * 1024;

    protected ObjectStorage storage;

    /** A fresh, empty store; streaming writes use {@link #PART_SIZE} parts where parts apply. */
    protected abstract ObjectStorage openStorage();

    /** No temp file, staging file or incomplete multipart upload survives a finished write. */
    protected abstract void assertNothingLeftBehind();

    /** Leaves what a process killed in the middle of writing {@code key} leaves in this backend. */
    protected abstract void leaveUnfinishedWriteOf(String key) throws IOException;

    @BeforeEach
    void open() {
        storage = openStorage();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void putThenGetReturnsTheSameBytes() {
        storage.put("manifests/t/batch.json", "{\"status\":\"DONE\"}".getBytes(UTF_8), "application/json");

        assertThat(storage.get("manifests/t/batch.json")).hasValue("{\"status\":\"DONE\"}".getBytes(UTF_8));
    }

    @Test
    void putReplacesAnExistingObjectWhole() {
        storage.put("k", "first version, longer".getBytes(UTF_8), "text/plain");
        storage.put("k", "second".getBytes(UTF_8), "text/plain");

        assertThat(storage.get("k")).hasValue("second".getBytes(UTF_8));
    }

    @Test
    void aMissingObjectIsEmptyForGetAndStatButNotFoundForOpen() {
        assertThat(storage.get("nope")).isEmpty();
        assertThat(storage.stat("nope")).isEmpty();
        assertThatThrownBy(() -> storage.open("nope"))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object not found: " + storage.uri("nope"));
    }

    @Test
    void statReportsSizeAndModificationTime() {
        Instant before = Instant.now().minus(Duration.ofMinutes(1));
        storage.put("a/b", new byte[1234], null);

        ObjectInfo info = storage.stat("a/b").orElseThrow();
        assertThat(info.key()).isEqualTo("a/b");
        assertThat(info.size()).isEqualTo(1234);
        assertThat(info.lastModified()).isBetween(before, Instant.now().plus(Duration.ofMinutes(1)));
    }

    @Test
    void listReturnsEveryObjectUnderThePrefixInKeyOrder() {
        storage.put("data/t/year=2024/month=02/b.parquet", new byte[2], null);
        storage.put("data/t/year=2024/month=01/a.parquet", new byte[1], null);
        storage.put("data/t/year=2023/month=12/c.parquet", new byte[3], null);
        storage.put("data/t2/other.parquet", new byte[4], null);
        storage.put("manifests/t/m.json", new byte[5], null);

        assertThat(storage.list("data/t/")).extracting(ObjectInfo::key).containsExactly(
                "data/t/year=2023/month=12/c.parquet",
                "data/t/year=2024/month=01/a.parquet",
                "data/t/year=2024/month=02/b.parquet");
        assertThat(storage.list("data/t")).hasSize(4);
        assertThat(storage.list("data/t/year=2024/")).extracting(ObjectInfo::size).containsExactly(1L, 2L);
        assertThat(storage.list("")).hasSize(5);
        assertThat(storage.list("absent/")).isEmpty();
    }

    @Test
    void deleteRemovesTheObjectAndAbsentObjectsAreNotAnError() {
        storage.put("k", new byte[1], null);

        storage.delete("k");
        storage.delete("k");
        storage.delete("never-existed");

        assertThat(storage.stat("k")).isEmpty();
        assertThat(storage.list("")).isEmpty();
    }

    @Test
    void leftoversOfAWriterThatDiedAreDiscardedWithoutTouchingTheObject() throws IOException {
        storage.put("t/data.parquet", "published".getBytes(UTF_8), null);
        leaveUnfinishedWriteOf("t/data.parquet");
        leaveUnfinishedWriteOf("t/other.parquet");

        assertThat(storage.discardUnfinished("t/data.parquet")).isEqualTo(1);
        assertThat(storage.discardUnfinished("t/data.parquet")).isZero();
        assertThat(storage.get("t/data.parquet")).hasValue("published".getBytes(UTF_8));
        assertThat(storage.discardUnfinished("t/other.parquet")).isEqualTo(1);
        assertNothingLeftBehind();
    }

    @Test
    void openStreamsTheWholeObject() throws IOException {
        storage.put("k", "streamed".getBytes(UTF_8), null);

        try (InputStream in = storage.open("k")) {
            assertThat(in.readAllBytes()).isEqualTo("streamed".getBytes(UTF_8));
        }
    }

    @Test
    void openRangeStreamsOnlyTheBytesAsked() throws IOException {
        storage.put("k", "0123456789".getBytes(UTF_8), null);

        try (InputStream in = storage.openRange("k", 6, 4)) {
            assertThat(in.readAllBytes()).isEqualTo("6789".getBytes(UTF_8));
        }
        try (InputStream in = storage.openRange("k", 2, 3)) {
            assertThat(in.readAllBytes()).isEqualTo("234".getBytes(UTF_8));
        }
    }

    @Test
    void openRangePastTheEndIsShortOrEmptyAndAMissingObjectIsNotFound() throws IOException {
        storage.put("k", "0123456789".getBytes(UTF_8), null);

        try (InputStream in = storage.openRange("k", 8, 100)) {
            assertThat(in.readAllBytes()).isEqualTo("89".getBytes(UTF_8));
        }
        try (InputStream in = storage.openRange("k", 10, 5)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThatThrownBy(() -> storage.openRange("nope", 0, 1)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void closingAStreamEarlyIsFine() throws IOException {
        storage.put("k", new byte[3 * CHUNK], null);

        try (InputStream in = storage.open("k")) {
            assertThat(in.read()).isZero();
        }
        assertThat(storage.get("k")).isPresent();
    }

    @Test
    void aSmallStreamingWriteIsStoredWhole() throws IOException {
        try (ObjectOutput out = storage.create("small.parquet")) {
            out.write("PAR1".getBytes(UTF_8));
            assertThat(out.position()).isEqualTo(4);
            ObjectInfo info = out.commit();
            assertThat(info.key()).isEqualTo("small.parquet");
            assertThat(info.size()).isEqualTo(4);
        }
        assertThat(storage.get("small.parquet")).hasValue("PAR1".getBytes(UTF_8));
        assertNothingLeftBehind();
    }

    @Test
    void anEmptyStreamingWriteIsAnEmptyObject() {
        try (ObjectOutput out = storage.create("empty")) {
            assertThat(out.commit().size()).isZero();
        }
        assertThat(storage.get("empty")).hasValue(new byte[0]);
    }

    @Test
    void anObjectOfExactlyOnePartReadsBackWhole() throws IOException {
        String written = writeRandom("one-part.bin", PART_SIZE, 7);

        assertThat(sha256Of("one-part.bin")).isEqualTo(written);
    }

    @Test
    void aMultiPartObjectReadsBackByteIdentical() throws IOException {
        long size = PART_SIZE * 7 / 2;
        String written = writeRandom("data/big.parquet", size, 42);

        assertThat(storage.stat("data/big.parquet")).map(ObjectInfo::size).hasValue(size);
        assertThat(sha256Of("data/big.parquet")).isEqualTo(written);
        assertNothingLeftBehind();
    }

    @Test
    void nothingIsVisibleBeforeCommit() throws IOException {
        try (ObjectOutput out = storage.create("data/pending.parquet")) {
            writeRandom(out, PART_SIZE * 5 / 2, 1);

            assertThat(storage.stat("data/pending.parquet")).isEmpty();
            assertThat(storage.get("data/pending.parquet")).isEmpty();
            assertThat(storage.list("data/")).isEmpty();

            out.commit();
        }
        assertThat(storage.list("data/")).extracting(ObjectInfo::key).containsExactly("data/pending.parquet");
    }

    @Test
    void abortPublishesNothingAndLeavesNothingBehind() throws IOException {
        ObjectOutput out = storage.create("data/aborted.parquet");
        writeRandom(out, PART_SIZE * 5 / 2, 2);
        out.abort();
        out.abort();

        assertThat(storage.stat("data/aborted.parquet")).isEmpty();
        assertThat(storage.list("")).isEmpty();
        assertNothingLeftBehind();
        assertThatThrownBy(out::commit).isInstanceOf(StorageException.class).hasMessageContaining("aborted");
    }

    @Test
    void closeWithoutCommitIsAnAbortThatKeepsThePreviousVersion() throws IOException {
        storage.put("data/f.parquet", "previous".getBytes(UTF_8), null);

        try (ObjectOutput out = storage.create("data/f.parquet", Precondition.NONE)) {
            writeRandom(out, PART_SIZE + 1, 3);
        }

        assertThat(storage.get("data/f.parquet")).hasValue("previous".getBytes(UTF_8));
        assertNothingLeftBehind();
    }

    @Test
    void aNewObjectNeverReplacesOneThatExists() throws IOException {
        storage.put("t/day=1/data.parquet", "archived rows".getBytes(UTF_8), null);

        ObjectOutput out = storage.create("t/day=1/data.parquet");
        writeRandom(out, 1000, 4);

        assertThatThrownBy(out::commit).isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("t/day=1/data.parquet");
        assertThat(storage.get("t/day=1/data.parquet")).hasValue("archived rows".getBytes(UTF_8));
        assertNothingLeftBehind();
    }

    @Test
    void aLargeNewObjectNeverReplacesOneThatExistsEither() throws IOException {
        storage.put("t/big.parquet", "archived rows".getBytes(UTF_8), null);

        ObjectOutput out = storage.create("t/big.parquet");
        writeRandom(out, 2 * PART_SIZE + 5, 6);

        assertThatThrownBy(out::commit).isInstanceOf(PreconditionFailedException.class);
        assertThat(storage.get("t/big.parquet")).hasValue("archived rows".getBytes(UTF_8));
        assertNothingLeftBehind();
    }

    @Test
    void putIfAbsentCreatesOnceAndThenRefuses() {
        String first = storage.put("m/b.json", "one".getBytes(UTF_8), "application/json", Precondition.ABSENT);

        assertThat(first).isNotBlank();
        assertThatThrownBy(() -> storage.put("m/b.json", "two".getBytes(UTF_8), "application/json", Precondition.ABSENT))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(storage.get("m/b.json")).hasValue("one".getBytes(UTF_8));
    }

    @Test
    void aConditionalPutReplacesOnlyTheVersionItRead() {
        storage.put("m/b.json", "EXPORTING".getBytes(UTF_8), "application/json");
        VersionedBytes read = storage.read("m/b.json").orElseThrow();

        String next = storage.put("m/b.json", "UPLOADED".getBytes(UTF_8), "application/json",
                Precondition.matches(read.version()));

        assertThat(next).isNotEqualTo(read.version());
        assertThat(storage.read("m/b.json").orElseThrow().version()).isEqualTo(next);
        assertThat(storage.stat("m/b.json").orElseThrow().version()).isEqualTo(next);
        // A write built on the first read arrives late: it must not move the object back.
        assertThatThrownBy(() -> storage.put("m/b.json", "EXPORTING again".getBytes(UTF_8), "application/json",
                Precondition.matches(read.version()))).isInstanceOf(PreconditionFailedException.class);
        assertThat(storage.get("m/b.json")).hasValue("UPLOADED".getBytes(UTF_8));
        assertThatThrownBy(() -> storage.put("m/absent.json", "x".getBytes(UTF_8), "application/json",
                Precondition.matches(read.version()))).isInstanceOf(PreconditionFailedException.class);
        assertThat(storage.stat("m/absent.json")).isEmpty();
    }

    @Test
    void invalidKeysAreRefusedBeforeReachingTheStore() {
        assertThatThrownBy(() -> storage.put("../escape", new byte[1], null))
                .isInstanceOf(StorageException.class).hasMessageContaining("invalid object key");
    }

    /** Writes {@code size} seeded random bytes to {@code key}, commits, and returns their SHA-256. */
    protected String writeRandom(String key, long size, long seed) throws IOException {
        try (ObjectOutput out = storage.create(key)) {
            String sha = writeRandom(out, size, seed);
            assertThat(out.commit().size()).isEqualTo(size);
            return sha;
        }
    }

    protected static String writeRandom(ObjectOutput out, long size, long seed) throws IOException {
        MessageDigest sha = sha256();
        Random random = new Random(seed);
        byte[] chunk = new byte[CHUNK];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            random.nextBytes(chunk);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        assertThat(out.position()).isEqualTo(size);
        return HexFormat.of().formatHex(sha.digest());
    }

    private String sha256Of(String key) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(storage.open(key), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
