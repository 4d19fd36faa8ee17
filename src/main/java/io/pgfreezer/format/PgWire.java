package io.pgfreezer.format;

import java.util.Locale;

/**
 * The PostgreSQL binary wire forms the archive's values come from. Export decodes them and
 * verification re-encodes the archived values into them, so both sides must name the same form
 * for a column; the footer's {@link ArchiveMetadata#PG_WIRE} entry records it per column.
 *
 * <p>A column's spec is the form's name, or {@code array:<element oid>:<element form>} for a
 * one-dimensional array. Columns PostgreSQL renders as text for the archive ({@code col::text})
 * are {@code text}.
 */
public enum PgWire {
    BOOL(16), INT2(21), INT4(23), INT8(20), OID(26), FLOAT4(700), FLOAT8(701), NUMERIC(1700), TEXT(25),
    JSON(114), JSONB(3802), BYTEA(17), UUID(2950), DATE(1082), TIME(1083), TIMESTAMP(1114), TIMESTAMPTZ(1184);

    private final int oid;

    PgWire(int oid) {
        this.oid = oid;
    }

    /**
     * The built-in type whose binary form this is ({@code pg_type.oid}, fixed since PostgreSQL 9.4);
     * an array of it carries this oid in its header.
     */
    public int typeOid() {
        return oid;
    }

    /** The built-in type's name ({@code pg_type.typname}), which is also its SQL spelling. */
    public String typeName() {
        return spec();
    }

    /** Days from 1970-01-01 (Parquet, Java) to 2000-01-01 (PostgreSQL). */
    public static final int PG_EPOCH_DAYS = 10_957;
    /** Microseconds from 1970-01-01 to 2000-01-01. */
    public static final long PG_EPOCH_MICROS = PG_EPOCH_DAYS * 86_400L * 1_000_000L;
    public static final long MICROS_PER_DAY = 86_400L * 1_000_000L;

    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static String arraySpec(long elementOid, PgWire element) {
        return "array:" + elementOid + ":" + element.spec();
    }

    /** A parsed column spec: {@code element} and {@code elementOid} are set for arrays only. */
    public record Spec(PgWire wire, boolean array, long elementOid) {
    }

    /** @throws FormatException for a spec this version does not know */
    public static Spec parse(String spec) {
        try {
            if (spec.startsWith("array:")) {
                String[] parts = spec.split(":", 3);
                return new Spec(valueOf(parts[2].toUpperCase(Locale.ROOT)), true, Long.parseLong(parts[1]));
            }
            return new Spec(valueOf(spec.toUpperCase(Locale.ROOT)), false, 0);
        } catch (RuntimeException e) {
            throw new FormatException("unknown PostgreSQL wire form \"" + spec + "\" in the footer");
        }
    }

    /**
     * PostgreSQL's text form of a {@code time} value: {@code HH:MM:SS} and, when not whole, the
     * fraction without trailing zeros; {@code 24:00:00} is a valid value.
     */
    public static int formatTime(long micros, byte[] out) {
        long seconds = micros / 1_000_000;
        int fraction = (int) (micros % 1_000_000);
        int h = (int) (seconds / 3600);
        int m = (int) (seconds / 60 % 60);
        int s = (int) (seconds % 60);
        out[0] = (byte) ('0' + h / 10);
        out[1] = (byte) ('0' + h % 10);
        out[2] = ':';
        out[3] = (byte) ('0' + m / 10);
        out[4] = (byte) ('0' + m % 10);
        out[5] = ':';
        out[6] = (byte) ('0' + s / 10);
        out[7] = (byte) ('0' + s % 10);
        int n = 8;
        if (fraction != 0) {
            out[n++] = '.';
            int divisor = 100_000;
            while (fraction != 0) {
                out[n++] = (byte) ('0' + fraction / divisor);
                fraction %= divisor;
                divisor /= 10;
            }
        }
        return n;
    }

    /** Inverse of {@link #formatTime}; -1 when {@code text} is not in exactly that form. */
    public static long parseTime(String text) {
        int len = text.length();
        if (len < 8 || len == 9 || len > 15 || text.charAt(2) != ':' || text.charAt(5) != ':') {
            return -1;
        }
        long h = digits(text, 0, 2);
        long m = digits(text, 3, 5);
        long s = digits(text, 6, 8);
        if (h < 0 || m < 0 || s < 0 || m > 59 || s > 59) {
            return -1;
        }
        long fraction = 0;
        if (len > 8) {
            if (text.charAt(8) != '.' || text.charAt(len - 1) == '0') {
                return -1;
            }
            long f = digits(text, 9, len);
            if (f < 0) {
                return -1;
            }
            fraction = f;
            for (int i = len - 9; i < 6; i++) {
                fraction *= 10;
            }
        }
        long micros = ((h * 60 + m) * 60 + s) * 1_000_000 + fraction;
        return micros > MICROS_PER_DAY ? -1 : micros;
    }

    private static long digits(String text, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** PostgreSQL's text form of a uuid (lower-case, hyphenated) of 16 bytes at {@code off}. */
    public static void formatUuid(byte[] in, int off, byte[] out) {
        int n = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                out[n++] = '-';
            }
            int b = in[off + i] & 0xff;
            out[n++] = HEX[b >>> 4];
            out[n++] = HEX[b & 0xf];
        }
    }

    /** Inverse of {@link #formatUuid}; null when {@code text} is not in exactly that form. */
    public static byte[] parseUuid(String text) {
        if (text.length() != 36) {
            return null;
        }
        byte[] out = new byte[16];
        int n = 0;
        for (int i = 0; i < 36; ) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (text.charAt(i) != '-') {
                    return null;
                }
                i++;
                continue;
            }
            int hi = Character.digit(text.charAt(i), 16);
            int lo = Character.digit(text.charAt(i + 1), 16);
            if (hi < 0 || lo < 0 || Character.isUpperCase(text.charAt(i)) || Character.isUpperCase(text.charAt(i + 1))) {
                return null;
            }
            out[n++] = (byte) (hi << 4 | lo);
            i += 2;
        }
        return out;
    }
}
