package io.pgfreezer.format;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Writes one archive file batch by batch. {@link #finish()} completes the file; {@link #close()}
 * without finish leaves it incomplete, and the caller then aborts the object.
 */
public interface ArchiveWriter extends AutoCloseable {

    void write(VectorSchemaRoot batch);

    /** Writes the footer and returns what was written; the bytes' SHA-256 proves the object later. */
    ArchivedFile finish();

    @Override
    void close();

    /** Rows, bytes and the SHA-256 (hex) of exactly the bytes written. */
    record ArchivedFile(long rows, long bytes, String sha256) {
    }
}
