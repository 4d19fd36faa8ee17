package io.pgfreezer.fetch;

/** One Parquet object of a partition, as listed: its key and its size in bytes. */
record ArchivedFile(String key, long size) {

    /** The file name, the last segment of the key: {@code data.parquet}, {@code late-1.parquet}. */
    String name() {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
