package io.pgfreezer.storage;

/**
 * A small object's content with the version the store gave it (the ETag on S3), to be passed to
 * {@link Precondition#matches(String)} when the object is written back.
 */
public record VersionedBytes(byte[] data, String version) {
}
