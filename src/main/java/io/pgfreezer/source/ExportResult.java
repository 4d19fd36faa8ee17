package io.pgfreezer.source;

import io.pgfreezer.manifest.DeleteChunk;

import java.util.List;

/** What one export read: its rows, and chunks whose row counts add up to them. */
public record ExportResult(long rows, List<DeleteChunk> chunks) {
    public ExportResult {
        chunks = List.copyOf(chunks);
    }
}
