package io.pgfreezer.engine;

import java.time.Instant;
import java.util.Optional;

/**
 * What a table has left after a run: windows that were due but are not DONE (failed, skipped,
 * not reached), and the rows before the run's cutoff still in PostgreSQL with the oldest of them.
 * Growing from run to run means archiving is falling behind.
 */
public record TableBacklog(long windows, long rows, Optional<Instant> oldestRow) {
}
