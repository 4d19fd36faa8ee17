package io.pgfreezer.source;

import java.time.Instant;
import java.util.List;

/**
 * What a partition must hold, exactly, before it may leave its table: {@code totalRows} rows in
 * all, and for each archived window its rows with the value digest the export recorded.
 */
public record PartitionProof(long totalRows, List<WindowContent> windows) {
    public PartitionProof {
        windows = List.copyOf(windows);
    }

    public record WindowContent(Instant start, Instant end, long rows, String valueDigest) {
    }

    /** What was found instead; {@link #matches()} when nothing differs. */
    public record Outcome(String difference) {
        public static final Outcome MATCH = new Outcome(null);

        public boolean matches() {
            return difference == null;
        }
    }
}
