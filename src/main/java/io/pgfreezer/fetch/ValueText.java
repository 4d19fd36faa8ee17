package io.pgfreezer.fetch;

import io.pgfreezer.format.JsonText;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The text of one value as fetch prints it, shared by every output format:
 * <ul>
 *   <li>instants ({@code timestamptz}): {@code 2024-01-15T10:00:00.123456+00:00}, always the
 *       {@code +00:00} offset (as Python's {@code isoformat()} and pg-freezer's other output);</li>
 *   <li>timestamps without time zone: the same without offset; times: {@code 10:00:00.5} written
 *       {@code 10:00:00.500000};</li>
 *   <li>fractions of a second: none when zero, six digits for microseconds, nine only when the file
 *       holds nanoseconds;</li>
 *   <li>dates: {@code 2024-01-15}; decimals: exact, never in exponent form; bytes: standard base64
 *       with padding; UUIDs: lower-case canonical form;</li>
 *   <li>floats: Java's shortest round-trip text, {@code NaN}, {@code Infinity}, {@code -Infinity}.</li>
 * </ul>
 */
final class ValueText {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE;

    private ValueText() {
    }

    /** Text of a non-list, non-null value. */
    static String of(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof JsonText json) {
            return json.text();
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        if (value instanceof Instant instant) {
            return instant(instant);
        }
        if (value instanceof LocalDateTime dateTime) {
            return dateTime(dateTime);
        }
        if (value instanceof LocalDate date) {
            return DATE.format(date);
        }
        if (value instanceof LocalTime time) {
            return time(time);
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof UUID || value instanceof Boolean || value instanceof Number) {
            return value.toString();
        }
        if (value instanceof List) {
            throw new IllegalArgumentException("lists are written as JSON arrays");
        }
        throw new IllegalArgumentException("no text form for " + value.getClass().getName());
    }

    static String instant(Instant instant) {
        return dateTime(LocalDateTime.ofInstant(instant, ZoneOffset.UTC)) + "+00:00";
    }

    static String dateTime(LocalDateTime dateTime) {
        return DATE.format(dateTime.toLocalDate()) + "T" + time(dateTime.toLocalTime());
    }

    static String time(LocalTime time) {
        StringBuilder text = new StringBuilder(18);
        two(text, time.getHour()).append(':');
        two(text, time.getMinute()).append(':');
        two(text, time.getSecond());
        int nanos = time.getNano();
        if (nanos != 0) {
            String nine = String.format("%09d", nanos);
            text.append('.').append(nanos % 1000 == 0 ? nine.substring(0, 6) : nine);
        }
        return text.toString();
    }

    private static StringBuilder two(StringBuilder text, int value) {
        return text.append(value < 10 ? "0" : "").append(value);
    }
}
