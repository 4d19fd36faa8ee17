package io.pgfreezer.metrics;

import io.pgfreezer.config.GlobalConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes a run's metrics to the targets in {@code global.metrics}: node_exporter's textfile
 * collector and/or a Pushgateway. Monitoring must never fail the archive, so every problem here
 * is a logged warning and {@link #publish} never throws.
 */
public final class MetricsPublisher {
    private static final Logger log = LoggerFactory.getLogger(MetricsPublisher.class);

    private final Optional<TextfileWriter> textfile;
    private final Optional<PushgatewayClient> pushgateway;

    public MetricsPublisher(GlobalConfig.Metrics config) {
        this.textfile = config.textfilePath().map(TextfileWriter::new);
        this.pushgateway = config.pushgatewayUrl().map(url -> new PushgatewayClient(url, config.job()));
    }

    /**
     * @param configuredTables every table in the configuration (schema.name): the textfile keeps
     *                         the last samples of those this run did not cover, and drops the rest
     */
    public void publish(RunMetrics metrics, Set<String> configuredTables) {
        textfile.ifPresent(writer -> {
            try {
                writer.write(metrics, configuredTables);
                log.debug("metrics written to {}", writer.path());
            } catch (IOException | RuntimeException e) {
                // File system exceptions carry only the path as their message: name the kind too.
                log.warn("metrics could not be written to {}: {}: {}", writer.path(), e.getClass().getSimpleName(),
                        e.getMessage());
            }
        });
        pushgateway.ifPresent(client -> {
            try {
                int pushed = client.push(metrics);
                log.debug("metrics of {} table(s) pushed to {}", pushed, client.safeUrl());
            } catch (RuntimeException e) {
                log.warn("metrics could not be pushed to Pushgateway {}: {}", client.safeUrl(), e.toString());
            }
        });
    }
}
