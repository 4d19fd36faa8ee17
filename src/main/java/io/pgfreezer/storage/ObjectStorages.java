package io.pgfreezer.storage;

import io.pgfreezer.config.StorageConfig;

/** Opens the {@link ObjectStorage} backend a configuration names. */
public final class ObjectStorages {
    private ObjectStorages() {
    }

    public static ObjectStorage open(StorageConfig config) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
