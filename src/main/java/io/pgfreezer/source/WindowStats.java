package io.pgfreezer.source;

/** Rows in a range and their size as PostgreSQL stores them (before Parquet compression). */
public record WindowStats(long rows, long bytes) {
}
