package io.pgfreezer.engine;

import java.time.Instant;
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
        return OffsetDateTime.parse(text, PARSER).toInstant();
    }
}
