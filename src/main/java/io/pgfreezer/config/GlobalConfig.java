package io.pgfreezer.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code global:} section. */
public record GlobalConfig(
        int maxTableConcurrency,
        boolean dryRun,
        Duration checkInterval,
        Compression compression,
        int deleteChunkRows,
        Optional<URI> webhookUrl,
        Metrics metrics,
        Retry retry) {

    public GlobalConfig(int maxTableConcurrency, boolean dryRun, Duration checkInterval, Compression compression,
                        int deleteChunkRows, Optional<URI> webhookUrl, Metrics metrics) {
        this(maxTableConcurrency, dryRun, checkInterval, compression, deleteChunkRows, webhookUrl, metrics,
                Retry.defaults());
    }

    /**
     * {@code global.retry:} how often a batch step that failed for a transient reason (database or
     * storage unreachable, throttled, a deadlock) is tried again within the run, with capped
     * exponential backoff and jitter. The defaults give five attempts within about a minute.
     */
    public record Retry(int attempts, Duration initialDelay, Duration maxDelay) {
        public static Retry defaults() {
            return new Retry(5, Duration.ofSeconds(2), Duration.ofSeconds(30));
        }

        /** No retries: the first transient failure ends the table's run. */
        public static Retry none() {
            return new Retry(1, Duration.ZERO, Duration.ZERO);
        }

        /** The pause before attempt {@code attempt + 1}: doubling from the initial delay, capped, then jittered to 50-100%. */
        public Duration delayAfter(int attempt, double jitter) {
            long base = initialDelay.toMillis();
            long capped = maxDelay.toMillis();
            long exponential = attempt >= 31 ? capped : Math.min(capped, base << Math.max(0, attempt - 1));
            return Duration.ofMillis((long) (exponential * (0.5 + 0.5 * jitter)));
        }
    }

    /** Parquet compression codec; the original wrote snappy. */
    public enum Compression { SNAPPY, ZSTD, GZIP, UNCOMPRESSED }

    /** {@code global.metrics:} Prometheus output after each run; both targets are optional. */
    public record Metrics(Optional<Path> textfilePath, Optional<URI> pushgatewayUrl, String job) {
        public static Metrics none() {
            return new Metrics(Optional.empty(), Optional.empty(), "pg_freezer");
        }

        public boolean enabled() {
            return textfilePath.isPresent() || pushgatewayUrl.isPresent();
        }
    }
}
