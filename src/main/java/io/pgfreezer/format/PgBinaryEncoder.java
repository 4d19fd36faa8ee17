package io.pgfreezer.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/**
 * Archived values encoded back into PostgreSQL's binary COPY form, one tuple at a time: the
 * field count, then each field's length and bytes. The value proof hashes these bytes and
 * restore streams them to {@code COPY ... FROM STDIN (FORMAT binary)}, so both rest on one
 * encoding of each wire form. The tuple is built in a buffer this encoder reuses; read it
 * through {@link #buffer()} and {@link #length()} before encoding the next. Not thread-safe.
 */
public final class PgBinaryEncoder {
    /** What precedes the first tuple of a binary COPY stream: signature, flags, header extension length. */
    public static final byte[] COPY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
    /** The tuple count -1 that ends a binary COPY stream. */
    public static final byte[] COPY_TRAILER = {(byte) 0xff, (byte) 0xff};

    private final PgWire.Spec[] columns;
    private final String[] names;
    private byte[] buf = new byte[256];
    private int len;

    public PgBinaryEncoder(List<String> names, List<PgWire.Spec> specs) {
        if (names.size() != specs.size()) {
            throw new IllegalArgumentException(names.size() + " names for " + specs.size() + " columns");
        }
        this.names = names.toArray(String[]::new);
        this.columns = specs.toArray(PgWire.Spec[]::new);
    }

    /** The bytes of the tuple last encoded, from offset 0 to {@link #length()}. */
    public byte[] buffer() {
        return buf;
    }

    public int length() {
        return len;
    }

    /**
     * Encodes one archived row as PostgreSQL sends it; {@code row} holds one value per column, in
     * the encoder's column order.
     *
     * @throws ValueMismatchException when a value cannot be PostgreSQL's (e.g. malformed time text)
     */
    public void encode(Object[] row, long rowNumber) {
        len = 0;
        int16(columns.length);
        for (int c = 0; c < columns.length; c++) {
            field(columns[c], row[c], names[c], rowNumber);
        }
    }

    /**
     * Encodes one field alone, its length and then its bytes (-1 and none for NULL), in place of
     * whatever the buffer held: for decoding that works column by column and takes this path only
     * for the forms it has no faster one for, so both give the same bytes.
     *
     * @throws ValueMismatchException when the value cannot be PostgreSQL's
     */
    void encodeField(PgWire.Spec spec, Object v, String column, long rowNumber) {
        len = 0;
        field(spec, v, column, rowNumber);
    }

    private void field(PgWire.Spec spec, Object v, String column, long rowNumber) {
        if (v == null) {
            int32(-1);
            return;
        }
        int lengthAt = len;
        int32(0);
        try {
            if (spec.array()) {
                array(spec, (List<?>) v);
            } else {
                value(spec.wire(), v);
            }
        } catch (RuntimeException e) {
            throw mismatch(rowNumber, column, v, spec, e.getMessage());
        }
        putInt(lengthAt, len - lengthAt - 4);
    }

    static ValueMismatchException mismatch(long rowNumber, String column, Object v, PgWire.Spec spec, String why) {
        return new ValueMismatchException("row " + rowNumber + " column \"" + column + "\" holds " + v
                + ", which is no PostgreSQL " + spec.wire().spec() + " value: " + why);
    }

    private void array(PgWire.Spec spec, List<?> elements) {
        boolean nulls = elements.contains(null);
        int32(elements.isEmpty() ? 0 : 1);
        int32(nulls ? 1 : 0);
        int32((int) spec.elementOid());
        if (!elements.isEmpty()) {
            int32(elements.size());
            int32(1);
        }
        for (Object e : elements) {
            if (e == null) {
                int32(-1);
                continue;
            }
            int lengthAt = len;
            int32(0);
            value(spec.wire(), e);
            putInt(lengthAt, len - lengthAt - 4);
        }
    }

    private void value(PgWire wire, Object v) {
        switch (wire) {
            case BOOL -> int8(((Boolean) v) ? 1 : 0);
            case INT2 -> int16((Short) v);
            case INT4 -> int32((Integer) v);
            case INT8 -> int64((Long) v);
            case OID -> {
                long oid = (Long) v;
                if (oid < 0 || oid > 0xffffffffL) {
                    throw new IllegalArgumentException("out of range");
                }
                int32((int) oid);
            }
            case FLOAT4 -> int32(Float.floatToRawIntBits((Float) v));
            case FLOAT8 -> int64(Double.doubleToRawLongBits((Double) v));
            case NUMERIC -> numeric((BigDecimal) v);
            case TEXT -> bytes(((String) v).getBytes(StandardCharsets.UTF_8));
            case JSON -> bytes(((JsonText) v).text().getBytes(StandardCharsets.UTF_8));
            case JSONB -> {
                int8(1);
                bytes(((JsonText) v).text().getBytes(StandardCharsets.UTF_8));
            }
            case BYTEA -> bytes((byte[]) v);
            case UUID -> {
                byte[] u = PgWire.parseUuid((String) v);
                if (u == null) {
                    throw new IllegalArgumentException("not a canonical uuid text");
                }
                bytes(u);
            }
            case DATE -> int32(Math.toIntExact(Math.subtractExact(((LocalDate) v).toEpochDay(), PgWire.PG_EPOCH_DAYS)));
            case TIME -> {
                long micros = PgWire.parseTime((String) v);
                if (micros < 0) {
                    throw new IllegalArgumentException("not a time of day in PostgreSQL's text form");
                }
                int64(micros);
            }
            case TIMESTAMP -> int64(pgMicros(((LocalDateTime) v).toEpochSecond(ZoneOffset.UTC), ((LocalDateTime) v).getNano()));
            case TIMESTAMPTZ -> int64(pgMicros(((Instant) v).getEpochSecond(), ((Instant) v).getNano()));
        }
    }

    private static long pgMicros(long epochSecond, int nano) {
        if (nano % 1000 != 0) {
            throw new IllegalArgumentException("finer than a microsecond");
        }
        return Math.subtractExact(Math.addExact(Math.multiplyExact(epochSecond, 1_000_000L), nano / 1000),
                PgWire.PG_EPOCH_MICROS);
    }

    /** PostgreSQL's numeric: base-10000 digits without leading or trailing zero groups. */
    private void numeric(BigDecimal d) {
        int scale = d.scale();
        if (scale < 0) {
            throw new IllegalArgumentException("negative scale");
        }
        BigInteger unscaled = d.unscaledValue();
        int sign = unscaled.signum() < 0 ? 0x4000 : 0;
        // Align the decimal point to a digit-group boundary.
        int pad = (4 - scale % 4) % 4;
        BigInteger magnitude = unscaled.abs().multiply(BigInteger.TEN.pow(pad));
        int fractionGroups = (scale + pad) / 4;
        short[] groups = new short[magnitude.bitLength() / 13 + 2];
        int n = 0;
        BigInteger tenThousand = BigInteger.valueOf(10_000);
        if (magnitude.bitLength() < 63) {
            long m = magnitude.longValue();
            while (m != 0) {
                groups[n++] = (short) (m % 10_000);
                m /= 10_000;
            }
        } else {
            while (magnitude.signum() != 0) {
                BigInteger[] qr = magnitude.divideAndRemainder(tenThousand);
                groups[n++] = qr[1].shortValue();
                magnitude = qr[0];
            }
        }
        int low = 0;
        while (low < n && groups[low] == 0) {
            low++;
        }
        int ndigits = n - low;
        int16(ndigits);
        int16(ndigits == 0 ? 0 : n - 1 - fractionGroups);
        int16(ndigits == 0 ? 0 : sign);
        int16(scale);
        for (int k = n - 1; k >= low; k--) {
            int16(groups[k]);
        }
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    private void int8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    private void int16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        putInt(len, v);
        len += 4;
    }

    private void putInt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

}
