package io.pgfreezer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

    /** The formatter alone, as parse() read every timestamp before it had a fast path. */
    private static final DateTimeFormatter FORMATTER = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    private static Object formatterAnswer(String text) {
        try {
            return OffsetDateTime.parse(text, FORMATTER).toInstant();
        } catch (DateTimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static Object parseAnswer(String text) {
        try {
            return IsoInstants.parse(text);
        } catch (DateTimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Test
    void readsWhatItWritesAsTheFormatterDoes() {
        SplittableRandom random = new SplittableRandom(20261201);
        long from = Instant.parse("1900-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(from, to),
                    random.nextBoolean() ? 0 : random.nextInt(1_000_000) * 1_000L);
            for (String text : List.of(IsoInstants.format(t), IsoInstants.formatMicros(t),
                    IsoInstants.format(t).replace("+00:00", "Z"))) {
                assertThat(IsoInstants.parse(text)).as(text).isEqualTo(t).isEqualTo(formatterAnswer(text));
            }
        }
    }

    @Test
    void everyOtherShapeAndEveryMistakeIsAnsweredExactlyAsTheFormatterAnswersIt() {
        List<String> texts = new ArrayList<>(List.of(
                "2024-01-15T00:00:00+00:00", "2024-01-15T00:00:00Z", "2024-01-15T00:00:00.5+00:00",
                "2024-01-15T00:00:00.123456789Z", "2024-01-15T00:00:00.1234567891Z", "2024-01-15T00:00:00.Z",
                "2024-01-15T00:00+00:00", "2024-01-15T01:00:00+01:00", "2024-01-15T00:00:00-00:00",
                "2024-01-15T00:00:00+0000", "2024-01-15T00:00:00z", "2024-01-15T00:00:00", "2024-01-15",
                "2024-02-29T12:00:00+00:00", "2023-02-29T12:00:00+00:00", "2024-04-31T00:00:00Z",
                "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-32T00:00:00Z",
                "2024-01-15T24:00:00Z", "2024-01-15T23:60:00Z", "2024-01-15T23:59:60Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z", "+2024-01-15T00:00:00Z", "12024-01-15T00:00:00Z",
                "2024-1-15T00:00:00Z", "2024-01-15 00:00:00Z", "2024-01-15T00:00:00+00:00 ", " 2024-01-15T00:00:00Z",
                "2024-01-15T00:00:00+00:00Z", "2024-01-15T00:00:00ZZ", "2024-01-15T0a:00:00Z",
                "2024-01-15T00:00:00.12a+00:00", "2024-01-15T00:00:00.١٢+00:00", "٢٠٢٤-01-15T00:00:00Z", ""));
        for (String text : texts) {
            assertThat(parseAnswer(text)).as(text).isEqualTo(formatterAnswer(text));
        }
    }

    @Test
    void aMistakeIsStillADateTimeException() {
        assertThat(catchThrowable(() -> IsoInstants.parse("2024-02-32T00:00:00+00:00")))
                .isInstanceOf(DateTimeException.class);
    }
}
