package io.pgfreezer.engine;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Instants written the way Python's {@code datetime.isoformat()} writes a UTC-aware value:
 * {@code 2024-01-15T00:00:00+00:00}, with {@code .ffffff} only when the microseconds are not
 * zero. Batch ids hash this text, so it must match the original byte for byte.
 */
public final class IsoInstants {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    /** Lenient reader: {@code Z} or an offset, any fraction of a second, or none. */
    private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    private IsoInstants() {
    }

    public static String format(Instant instant) {
        OffsetDateTime t = instant.atOffset(ZoneOffset.UTC);
        DateTimeFormatter f = t.get(ChronoField.MICRO_OF_SECOND) == 0 ? SECONDS : MICROS;
        return f.format(t) + "+00:00";
    }

    /** Microsecond form always present, as the original writes manifest timestamps. */
    public static String formatMicros(Instant instant) {
        return MICROS.format(instant.atOffset(ZoneOffset.UTC)) + "+00:00";
    }

    public static Instant parse(String text) {
        Instant utc = parseUtc(text);
        return utc != null ? utc : OffsetDateTime.parse(text, PARSER).toInstant();
    }

    /**
     * The shapes this tool and the original write, {@code 2024-01-15T00:00:00+00:00} with or
     * without a fraction and with {@code Z} for {@code +00:00}, read without the formatter: a
     * manifest holds up to six of them, and in a profile of reading manifests the formatter held
     * about half of the samples of decoding them (23 of 47). Anything else,
     * valid or not, is null here and left to the formatter, so what is accepted and what is refused
     * (and its message) stay exactly the formatter's.
     */
    private static Instant parseUtc(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (t.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(t.charAt(i))) {
                nanos = nanos * 10 + (t.charAt(i) - '0');
                i++;
            }
            int width = i - start;
            if (width == 0) {
                return null;
            }
            for (int k = width; k < 9; k++) {
                nanos *= 10;
            }
        }
        boolean utc = (n - i == 1 && t.charAt(i) == 'Z') || (n - i == 6 && t.startsWith("+00:00", i));
        if (!utc || day > YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The non-negative number of {@code width} ASCII digits at {@code from}, or -1. */
    private static int digits(String t, int from, int width) {
        int value = 0;
        for (int i = from; i < from + width; i++) {
            char c = t.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
