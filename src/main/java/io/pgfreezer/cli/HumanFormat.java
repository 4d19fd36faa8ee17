package io.pgfreezer.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How numbers, sizes and times read in the human (non-JSON) output of the commands. */
final class HumanFormat {
    static final String NONE = "-";

    private static final String[] UNITS = {"KB", "MB", "GB", "TB", "PB"};
    private static final BigDecimal KIB = BigDecimal.valueOf(1024);
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    private HumanFormat() {
    }

    /** {@code 12,500}: comma thousands separators whatever the machine's locale. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String count(Long n) {
        return n == null ? NONE : count(n.longValue());
    }

    /**
     * Bytes in 1024-based units: {@code 512 B}, {@code 1.5 KB}, {@code 45 KB}, {@code 2.3 GB}.
     * One decimal below 10 units, whole units from 10 up, rounded half up; a value that would
     * round to 1024 of a unit is shown in the next unit instead ({@code 1.0 MB}, not {@code 1024 KB}).
     */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        BigDecimal value = BigDecimal.valueOf(bytes);
        for (int unit = 0; ; unit++) {
            value = value.divide(KIB);
            BigDecimal shown = value.setScale(1, RoundingMode.HALF_UP);
            if (shown.compareTo(BigDecimal.TEN) >= 0) {
                shown = value.setScale(0, RoundingMode.HALF_UP);
            }
            if (shown.compareTo(KIB) < 0 || unit == UNITS.length - 1) {
                return shown.toPlainString() + " " + UNITS[unit];
            }
        }
    }

    static String size(Long bytes) {
        return bytes == null ? NONE : size(bytes.longValue());
    }

    /** {@code 2024-01-30T12:00}, UTC, to the minute. */
    static String minute(Instant instant) {
        return instant == null ? NONE : MINUTE.format(instant);
    }
}
