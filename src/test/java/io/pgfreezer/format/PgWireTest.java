package io.pgfreezer.format;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class PgWireTest {

    private static String time(long micros) {
        byte[] out = new byte[15];
        return new String(out, 0, PgWire.formatTime(micros, out), StandardCharsets.US_ASCII);
    }

    @Test
    void timeTextIsPostgreSqlsAndParsesBack() {
        assertThat(time(0)).isEqualTo("00:00:00");
        assertThat(time(PgWire.MICROS_PER_DAY)).isEqualTo("24:00:00");
        assertThat(time(PgWire.MICROS_PER_DAY - 1)).isEqualTo("23:59:59.999999");
        assertThat(time(45_296_500_000L)).isEqualTo("12:34:56.5");
        assertThat(time(1)).isEqualTo("00:00:00.000001");
        for (long micros : new long[] {0, 1, 10, 999_999, 45_296_500_000L, PgWire.MICROS_PER_DAY - 1, PgWire.MICROS_PER_DAY}) {
            assertThat(PgWire.parseTime(time(micros))).isEqualTo(micros);
        }
        // Every spelling but PostgreSQL's own is refused, so the value proof cannot be fooled.
        assertThat(PgWire.parseTime("12:34:56.50")).isEqualTo(-1);
        assertThat(PgWire.parseTime("12:34:5")).isEqualTo(-1);
        assertThat(PgWire.parseTime("24:00:00.000001")).isEqualTo(-1);
        assertThat(PgWire.parseTime("12:60:00")).isEqualTo(-1);
        assertThat(PgWire.parseTime("12:34:56.")).isEqualTo(-1);
    }

    @Test
    void timeTextAgreesWithJavaForOrdinaryTimes() {
        LocalTime t = LocalTime.of(7, 8, 9, 120_000_000);
        assertThat(time(t.toNanoOfDay() / 1000)).isEqualTo("07:08:09.12");
    }

    @Test
    void uuidTextIsLowerCaseHyphenatedAndParsesBack() {
        UUID u = UUID.fromString("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
        byte[] raw = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array();
        byte[] text = new byte[36];
        PgWire.formatUuid(raw, 0, text);
        assertThat(new String(text, StandardCharsets.US_ASCII)).isEqualTo(u.toString());
        assertThat(PgWire.parseUuid(u.toString())).isEqualTo(raw);
        assertThat(PgWire.parseUuid(u.toString().toUpperCase())).isNull();
        assertThat(PgWire.parseUuid(u.toString().replace("-", ""))).isNull();
    }

    @Test
    void specsRoundTrip() {
        assertThat(PgWire.parse("timestamptz")).isEqualTo(new PgWire.Spec(PgWire.TIMESTAMPTZ, false, 0));
        assertThat(PgWire.parse(PgWire.arraySpec(2950, PgWire.UUID))).isEqualTo(new PgWire.Spec(PgWire.UUID, true, 2950));
    }
}
