package io.pgfreezer.source;

import java.time.Instant;
import java.util.Optional;

/** The rows still in PostgreSQL before a cutoff: how many, and the timestamp of the oldest. */
public record EligibleRows(long rows, Optional<Instant> oldest) {
}
