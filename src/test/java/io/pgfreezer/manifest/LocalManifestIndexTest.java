package io.pgfreezer.manifest;

import io.pgfreezer.storage.LocalObjectStorage;
import io.pgfreezer.storage.ObjectStorage;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The manifest index on a local directory, where versions are file identities, not ETags. */
class LocalManifestIndexTest extends ManifestIndexContract {
    @TempDir
    Path root;

    @Override
    protected ObjectStorage openStorage() {
        try {
            return new LocalObjectStorage(Files.createTempDirectory(root, "bucket"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
