package io.pgfreezer.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfreezer.config.StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on a local directory, opened the way the CLI opens it. */
class LocalObjectStorageIT extends ObjectStorageContract {

    @TempDir
    Path root;

    @Override
    protected ObjectStorage openStorage() {
        return ObjectStorages.open(new StorageConfig(StorageConfig.Protocol.FILE, null, root,
                Optional.empty(), null, Optional.empty(), Optional.empty(), false));
    }

    @Override
    protected void assertNothingLeftBehind() {
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).map(Path::getFileName).map(Path::toString))
                    .noneMatch(name -> name.endsWith(".tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void leaveUnfinishedWriteOf(String key) throws IOException {
        // Local writes are synchronous: an output never committed or closed is what a killed
        // process leaves, a hidden temp file beside the target.
        ObjectOutput abandoned = storage.create(key);
        abandoned.write(new byte[1024]);
        abandoned.flush();
    }

    @Test
    void uriNamesTheFileAnOperatorCanOpen() {
        assertThat(storage.uri("data/a.parquet")).isEqualTo(root.resolve("data/a.parquet").toString());
    }
}
