package io.pgfreezer.source;

import java.time.Instant;
import java.util.List;

/**
 * What a partition must hold, exactly, before it may leave its table: {@code totalRows} rows in
 * all, and for each archived window its rows with the value digest the export recorded.
 *
 * @param unchanged what lets the proof skip re-reading the values, or null when the windows'
 *                  exports do not allow it (a manifest without a snapshot xmin, a window with none)
 */
public record PartitionProof(long totalRows, List<WindowContent> windows, Unchanged unchanged) {
    public PartitionProof {
        windows = List.copyOf(windows);
    }

    public PartitionProof(long totalRows, List<WindowContent> windows) {
        this(totalRows, windows, null);
    }

    public record WindowContent(Instant start, Instant end, long rows, String valueDigest) {
    }

    /**
     * The oldest snapshot xmin (64-bit) of the exports of the partition's windows, and the time
     * ranges those exports read, merged. A row outside {@code covered} was seen by no export.
     *
     * @param relations the oids of the partition and of its sub-partitions, sorted, once each was
     *                  found to be the relation it was at that snapshot (see
     *                  {@link SourceTable#sameRelationsAsAtExport}); null until then, and the
     *                  proof then reads the values again
     */
    public record Unchanged(long snapshotXmin, List<Span> covered, List<Long> relations) {
        public Unchanged {
            covered = List.copyOf(covered);
            relations = relations == null ? null : List.copyOf(relations);
            if (covered.isEmpty()) {
                throw new IllegalArgumentException("no range was exported");
            }
        }

        public Unchanged(long snapshotXmin, List<Span> covered) {
            this(snapshotXmin, covered, null);
        }

        public Unchanged withRelations(List<Long> oids) {
            return new Unchanged(snapshotXmin, covered, oids);
        }
    }

    /** A half-open time range {@code [start, end)}. */
    public record Span(Instant start, Instant end) {
    }

    /** How a partition was found to hold exactly the archived rows. */
    public enum Method {
        /** One scan showed the rows and the row versions the exports saw, untouched since. */
        UNCHANGED_SINCE_EXPORT,
        /** Every window's values were read again and their digests compared. */
        VALUES_READ_AGAIN
    }

    /** What was found instead, or {@link #matches()} with the method that proved it. */
    public record Outcome(String difference, Method method) {
        public static Outcome differs(String difference) {
            return new Outcome(difference, null);
        }

        public static Outcome matched(Method method) {
            return new Outcome(null, method);
        }

        public boolean matches() {
            return difference == null;
        }
    }
}
