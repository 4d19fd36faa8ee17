package io.pgfreezer.fetch;

import java.util.Comparator;
import java.util.List;

/**
 * The Parquet files of one partition, the window's own {@code data.parquet} first, then the others
 * (late rows, files another tool wrote) in key order. The merge breaks timestamp ties by this order.
 */
record PartitionFiles(HivePartition partition, List<ArchivedFile> files) {

    static final String DATA_FILE = "data.parquet";

    private static final Comparator<ArchivedFile> FILE_ORDER =
            Comparator.comparing((ArchivedFile f) -> !f.name().equals(DATA_FILE)).thenComparing(ArchivedFile::key);

    PartitionFiles {
        files = files.stream().sorted(FILE_ORDER).toList();
    }

    long bytes() {
        return files.stream().mapToLong(ArchivedFile::size).sum();
    }
}
