package io.pgfreezer.format;

/**
 * A Parquet file whose every page decoded.
 *
 * @param rowsDecoded rows actually decoded, column by column
 * @param footerRows  rows the footer claims
 * @param rowGroups   row groups in the file
 */
public record VerifiedFile(long rowsDecoded, long footerRows, int rowGroups) {
}
