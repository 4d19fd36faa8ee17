package io.pgfreezer.metrics;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;

import java.util.Collection;

/** Rows and Parquet bytes of a table's DONE manifests: what the archive holds, over all runs. */
public record ArchivedTotals(long rows, long bytes) {

    public static ArchivedTotals of(Collection<BatchManifest> manifests) {
        long rows = 0;
        long bytes = 0;
        for (BatchManifest m : manifests) {
            if (m.status() == BatchStatus.DONE) {
                rows += m.rowCount();
                bytes += m.parquetSizeBytes() == null ? 0 : m.parquetSizeBytes();
            }
        }
        return new ArchivedTotals(rows, bytes);
    }
}
