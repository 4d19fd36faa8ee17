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
        Metrics metrics) {

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
