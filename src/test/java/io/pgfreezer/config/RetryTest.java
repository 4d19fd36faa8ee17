package io.pgfreezer.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetryTest {
    private final GlobalConfig.Retry retry = new GlobalConfig.Retry(5, Duration.ofSeconds(2), Duration.ofSeconds(30));

    @Test
    void pausesDoubleFromTheInitialDelayUpToTheCap() {
        assertThat(retry.delayAfter(1, 1.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(retry.delayAfter(2, 1.0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(retry.delayAfter(3, 1.0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(retry.delayAfter(5, 1.0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(retry.delayAfter(64, 1.0)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterTakesEachPauseToBetweenHalfAndAllOfIt() {
        assertThat(retry.delayAfter(3, 0.0)).isEqualTo(Duration.ofSeconds(4));
        assertThat(retry.delayAfter(3, 0.5)).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void theDefaultsStayWithinAboutAMinuteOfPauses() {
        GlobalConfig.Retry d = GlobalConfig.Retry.defaults();
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < d.attempts(); attempt++) {
            total = total.plus(d.delayAfter(attempt, 1.0));
        }
        assertThat(d.attempts()).isEqualTo(5);
        assertThat(total).isLessThanOrEqualTo(Duration.ofMinutes(1));
    }
}
