package io.pgfreezer.engine;

import io.pgfreezer.config.TableConfig;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where a table's archived objects live in the bucket. Data keys are the original's, so archives
 * it wrote and ours share one layout and query engines read every file of a partition directory.
 */
public final class ArchiveLayout {
    /**
     * Outside every table's directory, so no query over the archive ever reads these objects.
     * Public because {@code verify} reports what is kept here apart from orphans.
     */
    public static final String SUPERSEDED_ROOT = "_superseded/";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private ArchiveLayout() {
    }

    static String dataKey(TableConfig table, Window w) {
        return partitionPrefix(table, w) + "data.parquet";
    }

    static String lateKey(TableConfig table, Window w, int sequence) {
        return partitionPrefix(table, w) + "late-" + sequence + ".parquet";
    }

    /** {@code {table}/{partition}/}: the directory a query engine reads as one partition. */
    static String partitionPrefix(TableConfig table, Window w) {
        return table.name() + "/" + w.partition() + "/";
    }

    /** The directory part of an object key, with its trailing slash. */
    static String directoryOf(String key) {
        return key.substring(0, key.lastIndexOf('/') + 1);
    }

    /**
     * Where an earlier, unused attempt of a batch is kept when the batch is exported again: kept,
     * not removed, and out of the partition so readers never see its rows twice.
     */
    static String supersededKey(String table, String batchId, String key, Instant at) {
        return SUPERSEDED_ROOT + table + "/" + batchId + "/" + STAMP.format(at) + "-"
                + key.substring(key.lastIndexOf('/') + 1);
    }
}
