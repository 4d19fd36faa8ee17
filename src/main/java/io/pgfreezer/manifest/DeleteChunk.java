package io.pgfreezer.manifest;

import java.time.Instant;

/**
 * A slice {@code [from, to)} of a window's timestamp range and the number of rows the export
 * wrote for it. Deletion runs one short transaction per chunk and commits only when the rows it
 * deleted equal {@code rows}, so the guard holds without one long transaction over the window.
 */
public record DeleteChunk(Instant from, Instant to, long rows) {
}
