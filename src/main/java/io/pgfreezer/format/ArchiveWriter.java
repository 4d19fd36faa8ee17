package io.pgfreezer.format;

import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.Map;

/**
 * Writes one archive file batch by batch. {@link #finish()} completes the file; {@link #close()}
 * without finish abandons it, and the caller then aborts the object.
 */
public interface ArchiveWriter extends AutoCloseable {

    void write(VectorSchemaRoot batch);

    /** Writes the footer and returns what was written; the bytes' SHA-256 proves the object later. */
    WrittenFile finish();

    /** As {@link #finish()}, with footer metadata known only at the end (the value digest). */
    WrittenFile finish(Map<String, String> closingMetadata);

    @Override
    void close();
}
