package io.pgfreezer.format;

/**
 * A finished Parquet file.
 *
 * @param rows      rows written, equal to the row count in the footer
 * @param bytes     bytes handed to the sink, footer included
 * @param sha256Hex SHA-256 of exactly those bytes, lower-case hex; the object read back from
 *                  storage must hash to the same value
 */
public record WrittenFile(long rows, long bytes, String sha256Hex) {
}
