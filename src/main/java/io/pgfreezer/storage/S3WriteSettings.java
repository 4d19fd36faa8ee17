package io.pgfreezer.storage;

import java.nio.file.Path;

/**
 * How {@link S3ObjectStorage#create(String)} stages and uploads a streaming write. Local disk in
 * use by one write is bounded by {@code (maxPartsInFlight + 1) * partSize}: the parts uploading
 * plus the one being written; the writer waits when the uploads fall behind.
 *
 * @param partSize         bytes per multipart part; objects smaller than one part go up in a
 *                         single PUT. At least 5 MiB, S3's minimum for every part but the last.
 * @param maxPartsInFlight parts uploaded concurrently per write, at least 1
 * @param stagingDir       where parts are staged before upload
 */
public record S3WriteSettings(long partSize, int maxPartsInFlight, Path stagingDir) {

    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    public static final int DEFAULT_MAX_PARTS_IN_FLIGHT = 2;
    /** S3 refuses part numbers above this, which caps one object at this many parts. */
    public static final int MAX_PARTS = 10_000;

    public S3WriteSettings {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size " + partSize + " is below S3's minimum of "
                    + MIN_PART_SIZE + " bytes");
        }
        if (maxPartsInFlight < 1) {
            throw new IllegalArgumentException("maxPartsInFlight must be at least 1, got " + maxPartsInFlight);
        }
        if (stagingDir == null) {
            throw new IllegalArgumentException("stagingDir is required");
        }
    }

    /** 8 MiB parts, two in flight, staged in the JVM's temp directory. */
    public static S3WriteSettings defaults() {
        return new S3WriteSettings(DEFAULT_PART_SIZE, DEFAULT_MAX_PARTS_IN_FLIGHT,
                Path.of(System.getProperty("java.io.tmpdir")));
    }

    public S3WriteSettings withPartSize(long newPartSize) {
        return new S3WriteSettings(newPartSize, maxPartsInFlight, stagingDir);
    }

    public S3WriteSettings withStagingDir(Path newStagingDir) {
        return new S3WriteSettings(partSize, maxPartsInFlight, newStagingDir);
    }
}
