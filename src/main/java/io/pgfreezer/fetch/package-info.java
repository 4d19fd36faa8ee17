/**
 * {@code fetch}: archived rows of one table and time range, streamed back out as CSV, JSON or
 * JSON Lines, with no database connection.
 *
 * <h2>What is read</h2>
 * The listing of {@code {table}/} in storage, not the manifests, decides which files are read:
 * every {@code .parquet} object of every Hive partition ({@code year=/month=[/day=[/hour=]]})
 * whose interval meets {@code [from, to)}, including late-row files and files another tool wrote.
 * Only rows whose timestamp ({@code timestamp_column}) lies in {@code [from, to)} are returned,
 * also when the range starts or ends inside a partition. Output is in timestamp order: partitions
 * in time order, and the files of one partition merged by timestamp. Windows of the range without
 * files are reported as notes, explained from their manifests where there are few.
 *
 * <h2>Streaming</h2>
 * Footers are read first, with ranged reads of each object's tail, so that the output columns
 * (the union of every file's columns, for tables whose columns changed) are known before the
 * first row. Then, one partition at a time, its files are downloaded to temporary files, merged
 * with one row group per file in memory, written and flushed, and deleted. Memory and disk use
 * depend on the largest partition, never on the range.
 *
 * <h2>Output</h2>
 * Values print as {@link io.pgfreezer.fetch.ValueText} describes (ISO-8601 times with a
 * {@code +00:00} offset for instants, exact decimals, base64 bytes). CSV follows RFC 4180 with LF
 * line ends ({@link io.pgfreezer.fetch.CsvRowWriter}); JSON and JSON Lines embed JSON documents as
 * JSON and write {@code NaN}/{@code Infinity} as strings ({@link io.pgfreezer.fetch.JsonValues}).
 */
package io.pgfreezer.fetch;
