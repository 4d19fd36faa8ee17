package io.pgfreezer.source;

import io.pgfreezer.manifest.DeleteChunk;

import java.util.List;
import java.util.Map;

import io.pgfreezer.format.ArchiveMetadata;

/**
 * What one export read: the rows it handed on, the rows it left out because the archive holds
 * them already, chunks whose row counts add up to both, and the digest of the handed-on values
 * exactly as PostgreSQL sent them (see {@link io.pgfreezer.format.ValueDigest}).
 *
 * @param snapshotXmin the xmin of the export's snapshot as a 64-bit transaction id, when the
 *                     export handed on every row of the window it saw (no row left out as already
 *                     archived, no {@code extra_filters}); null otherwise. A partition proof may
 *                     rely on it only for such exports: see {@link PartitionProof.Unchanged}.
 */
public record ExportResult(long rows, long alreadyArchived, List<DeleteChunk> chunks, String valueDigest,
                           Long snapshotXmin) {
    public ExportResult {
        chunks = List.copyOf(chunks);
    }

    public ExportResult(long rows, List<DeleteChunk> chunks, String valueDigest) {
        this(rows, 0, chunks, valueDigest, null);
    }

    /** Footer metadata the archive gets once every row is written. */
    public Map<String, String> closingMetadata() {
        return valueDigest == null ? Map.of() : Map.of(ArchiveMetadata.VALUE_DIGEST, valueDigest);
    }
}
