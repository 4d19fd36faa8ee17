package io.pgfreezer.storage;

import io.pgfreezer.config.StorageConfig;

/** Opens the {@link ObjectStorage} backend a configuration names. */
public final class ObjectStorages {
    private ObjectStorages() {
    }

    public static ObjectStorage open(StorageConfig config) {
        if (config.protocol() == null) {
            throw new StorageException("storage.protocol is required (s3 or file)");
        }
        return switch (config.protocol()) {
            case S3 -> new S3ObjectStorage(config);
            case FILE -> new LocalObjectStorage(config.path());
        };
    }
}
