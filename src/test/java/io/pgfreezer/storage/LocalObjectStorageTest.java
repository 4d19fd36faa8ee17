package io.pgfreezer.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalObjectStorageTest {

    @TempDir
    Path root;

    private LocalObjectStorage storage;

    @BeforeEach
    void openStorage() {
        storage = new LocalObjectStorage(root);
    }

    @Test
    void nothingIsVisibleUnderTheFinalNameWhileWriting() throws IOException {
        try (ObjectOutput out = storage.create("data/t/part-0.parquet")) {
            out.write(new byte[100_000]);
            out.flush();

            assertThat(root.resolve("data/t/part-0.parquet")).doesNotExist();
            assertThat(storage.stat("data/t/part-0.parquet")).isEmpty();
            assertThat(storage.list("data/")).isEmpty();
            assertThat(filesUnder(root)).hasSize(1).allSatisfy(temp ->
                    assertThat(temp.getFileName().toString()).startsWith(".part-0.parquet.").endsWith(".tmp"));

            ObjectInfo info = out.commit();
            assertThat(info.size()).isEqualTo(100_000);
        }
        assertThat(root.resolve("data/t/part-0.parquet")).hasSize(100_000);
        assertThat(filesUnder(root)).containsExactly(root.resolve("data/t/part-0.parquet"));
    }

    @Test
    void abortLeavesNothingBehind() throws IOException {
        ObjectOutput out = storage.create("data/t/part-0.parquet");
        out.write("half a file".getBytes(UTF_8));
        out.abort();
        out.abort();

        assertThat(filesUnder(root)).isEmpty();
        assertThat(storage.get("data/t/part-0.parquet")).isEmpty();
    }

    @Test
    void closeWithoutCommitPublishesNothing() throws IOException {
        try (ObjectOutput out = storage.create("a/b")) {
            out.write(1);
        }
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void abortedWriteKeepsThePreviousVersion() throws IOException {
        storage.put("manifest.json", "old".getBytes(UTF_8), "application/json");
        try (ObjectOutput out = storage.create("manifest.json")) {
            out.write("new, but abandoned".getBytes(UTF_8));
        }
        assertThat(storage.get("manifest.json")).hasValue("old".getBytes(UTF_8));
    }

    @Test
    void writingAfterCommitIsRefused() throws IOException {
        ObjectOutput out = storage.create("k");
        out.write(1);
        out.commit();
        assertThatThrownBy(() -> out.write(2)).isInstanceOf(StorageException.class).hasMessageContaining("committed");
    }

    @Test
    void listSkipsTempFilesOfUnfinishedWrites() throws IOException {
        storage.put("t/a", new byte[] {1}, null);
        try (ObjectOutput unfinished = storage.create("t/b")) {
            unfinished.write(2);
            assertThat(storage.list("t/")).extracting(ObjectInfo::key).containsExactly("t/a");
        }
    }

    @Test
    void listReturnsSlashSeparatedKeysInKeyOrderAndMatchesPartialSegments() {
        storage.put("x/year=2024/month=02/f", new byte[2], null);
        storage.put("x/year=2024/month=01/f", new byte[1], null);
        storage.put("x/year=2023/month=12/f", new byte[3], null);
        storage.put("y/other", new byte[1], null);

        assertThat(storage.list("x/")).extracting(ObjectInfo::key).containsExactly(
                "x/year=2023/month=12/f", "x/year=2024/month=01/f", "x/year=2024/month=02/f");
        assertThat(storage.list("x/year=2024/mo")).extracting(ObjectInfo::size).containsExactly(1L, 2L);
        assertThat(storage.list("")).hasSize(4);
        assertThat(storage.list("missing/")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside", "a/../../outside", "/etc/passwd", "a//b", "a/./b", "a/", "", "a\\..\\b"})
    void keysThatCouldEscapeTheRootAreRefused(String key) {
        assertThatThrownBy(() -> storage.put(key, new byte[1], null))
                .isInstanceOf(StorageException.class).hasMessageContaining("invalid object key");
        assertThat(root.getParent().resolve("outside")).doesNotExist();
    }

    @Test
    void prefixesThatClimbOutAreRefused() {
        assertThatThrownBy(() -> storage.list("../")).isInstanceOf(StorageException.class);
    }

    @Test
    void keysShapedLikeTempFilesAreRefusedSoListingNeverHidesAnObject() {
        assertThatThrownBy(() -> storage.put("t/.f.0123456789abcdef.tmp", new byte[1], null))
                .isInstanceOf(StorageException.class).hasMessageContaining("reserved");
    }

    @Test
    void uriIsTheAbsoluteFilePath() {
        assertThat(storage.uri("a/b.parquet")).isEqualTo(root.toAbsolutePath().resolve("a/b.parquet").toString());
    }

    @Test
    void aDirectoryIsNotAnObject() {
        storage.put("dir/file", new byte[1], null);
        assertThat(storage.stat("dir")).isEmpty();
        assertThat(storage.get("dir")).isEmpty();
        assertThatThrownBy(() -> storage.open("dir")).isInstanceOf(ObjectNotFoundException.class);
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).toList();
        }
    }
}
