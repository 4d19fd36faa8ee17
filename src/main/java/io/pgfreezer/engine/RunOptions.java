package io.pgfreezer.engine;

import java.time.Instant;
import java.util.Optional;

/**
 * What one {@code run} or {@code replay} was asked to do.
 *
 * @param replayFrom for replay, only windows lying fully inside {@code [replayFrom, replayTo)}
 */
public record RunOptions(Optional<String> table, boolean dryRun, boolean force,
                         Optional<Instant> replayFrom, Optional<Instant> replayTo) {

    public static RunOptions run(Optional<String> table, boolean dryRun, boolean force) {
        return new RunOptions(table, dryRun, force, Optional.empty(), Optional.empty());
    }

    public static RunOptions replay(String table, Instant from, Instant to, boolean dryRun, boolean force) {
        return new RunOptions(Optional.of(table), dryRun, force, Optional.of(from), Optional.of(to));
    }
}
