package io.pgfreezer.source;

import io.pgfreezer.manifest.DeleteChunk;

import java.util.List;
import java.util.Map;

import io.pgfreezer.format.ArchiveMetadata;

/**
 * What one export read: its rows, chunks whose row counts add up to them, and the digest of the
 * values exactly as PostgreSQL sent them (see {@link io.pgfreezer.format.ValueDigest}).
 */
public record ExportResult(long rows, List<DeleteChunk> chunks, String valueDigest) {
    public ExportResult {
        chunks = List.copyOf(chunks);
    }

    /** Footer metadata the archive gets once every row is written. */
    public Map<String, String> closingMetadata() {
        return valueDigest == null ? Map.of() : Map.of(ArchiveMetadata.VALUE_DIGEST, valueDigest);
    }
}
