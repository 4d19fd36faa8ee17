package io.pgfreezer.storage;

import java.time.Instant;

/**
 * What storage knows of one object. {@code version} identifies this exact content (the ETag on
 * S3); it is null where a listing does not carry it.
 */
public record ObjectInfo(String key, long size, Instant lastModified, String version) {

    public ObjectInfo(String key, long size, Instant lastModified) {
        this(key, size, lastModified, null);
    }
}
