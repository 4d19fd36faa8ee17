package io.pgfreezer.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimestringsTest {

    @ParameterizedTest
    @CsvSource({"15d, PT360H", "6h, PT6H", "30m, PT30M", "10s, PT10S", "0s, PT0S", "90m, PT1H30M"})
    void digitsAndOneUnitAreADuration(String text, String iso) {
        assertThat(Timestrings.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"15x", "15", "d", "1.5h", "-1d", "1h30m", "15 d", "PT1H", "15D", ""})
    void anythingElseIsRejected(String text) {
        assertThatThrownBy(() -> Timestrings.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a timestring (use e.g. 15d, 6h, 30m, 10s)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999d", "999999999999999999d"})
    void hugeValuesAreRejectedNotWrapped(String text) {
        assertThatThrownBy(() -> Timestrings.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
    }
}
