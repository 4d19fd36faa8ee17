package io.pgfreezer.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The short durations of the configuration: {@code <digits><d|h|m|s>}, e.g. {@code 15d},
 * {@code 6h}, {@code 30m}, {@code 10s}. Nothing else is accepted (no fractions, no combinations,
 * no ISO-8601), so a typo cannot silently become a different duration.
 */
final class Timestrings {
    private static final Pattern TIMESTRING = Pattern.compile("(\\d+)([dhms])");

    private Timestrings() {
    }

    /** @throws IllegalArgumentException with an operator-facing reason, naming the text but no field */
    static Duration parse(String text) {
        Matcher m = TIMESTRING.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a timestring (use e.g. 15d, 6h, 30m, 10s)");
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "d" -> Duration.ofDays(amount);
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
