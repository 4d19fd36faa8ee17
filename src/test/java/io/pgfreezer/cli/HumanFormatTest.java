package io.pgfreezer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class HumanFormatTest {

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({
            "0, 0 B",
            "1023, 1023 B",
            "1024, 1.0 KB",
            "1536, 1.5 KB",
            "1587, 1.5 KB",     // 1.5498 KB
            "1588, 1.6 KB",     // 1.5508 KB: half up
            "10188, 9.9 KB",
            "10189, 10 KB",     // 9.9502 KB rounds to 10.0: shown as a whole number
            "38912, 38 KB",
            "46080, 45 KB",
            "46591, 45 KB",     // 45.499 KB
            "46592, 46 KB",     // 45.5 KB: half up
            "84992, 83 KB",
            "1048064, 1.0 MB",  // 1023.5 KB would round to 1024 KB
            "1048576, 1.0 MB",
            "5368709120, 5.0 GB",
            "1099511627776, 1.0 TB",
    })
    void sizesUse1024BasedUnits(long bytes, String expected) {
        assertThat(HumanFormat.size(bytes)).isEqualTo(expected);
    }

    @Test
    void hugeSizesStayInTheLargestUnit() {
        assertThat(HumanFormat.size(Long.MAX_VALUE)).isEqualTo("8192 PB");
    }

    @Test
    void missingValuesAreADash() {
        assertThat(HumanFormat.size((Long) null)).isEqualTo("-");
        assertThat(HumanFormat.count((Long) null)).isEqualTo("-");
        assertThat(HumanFormat.minute(null)).isEqualTo("-");
    }

    @Test
    void countsUseCommaThousandsSeparatorsWhateverTheLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(HumanFormat.count(22_332)).isEqualTo("22,332");
            assertThat(HumanFormat.count(1_234_567_890L)).isEqualTo("1,234,567,890");
            assertThat(HumanFormat.count(999)).isEqualTo("999");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void timesAreUtcToTheMinute() {
        assertThat(HumanFormat.minute(Instant.parse("2024-01-30T12:00:59.999Z"))).isEqualTo("2024-01-30T12:00");
    }
}
