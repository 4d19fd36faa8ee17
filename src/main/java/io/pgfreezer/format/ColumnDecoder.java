package io.pgfreezer.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes one column of a row group straight into a {@link FieldColumn}, in PostgreSQL's binary
 * form. The flat forms export writes have decoders that read the pages themselves
 * ({@link FlatPages}) and keep values primitive from page to field; any other pairing of wire
 * form and Parquet type (arrays, {@code time}, {@code oid}, files of other writers, and pairings
 * that cannot hold the wire form, which must fail as before) goes through parquet-java's
 * {@link ColumnReaderImpl}, {@link ValueConverters} and {@link PgBinaryEncoder} one value at a
 * time, the path rows took before, so every form gives the bytes it always did.
 */
abstract class ColumnDecoder {

    final ColumnDescriptor descriptor;
    final String column;
    final PgWire.Spec spec;
    final int maxDefinition;

    ColumnDecoder(ColumnDescriptor descriptor, String column, PgWire.Spec spec) {
        this.descriptor = descriptor;
        this.column = column;
        this.spec = spec;
        this.maxDefinition = descriptor.getMaxDefinitionLevel();
    }

    /** The decoder for a column, by its layout in the file and the wire form it must give. */
    static ColumnDecoder of(ColumnLayout layout, ColumnDescriptor descriptor, PgWire.Spec spec) {
        String name = layout.column.name();
        if (layout.nesting != ColumnLayout.Nesting.NONE || spec.array()) {
            return new Generic(layout, descriptor, spec);
        }
        ValueKind kind = layout.column.type().kind();
        PrimitiveTypeName physical = layout.leaf.getPrimitiveTypeName();
        LogicalTypeAnnotation logical = layout.leaf.getLogicalTypeAnnotation();
        switch (spec.wire()) {
            case BOOL:
                if (kind == ValueKind.BOOLEAN) {
                    return new Fixed(descriptor, name, spec, Fixed.BOOL, 1);
                }
                break;
            case INT2:
                if (kind == ValueKind.SHORT) {
                    return new Fixed(descriptor, name, spec, Fixed.INT, 2);
                }
                break;
            case INT4:
                if (kind == ValueKind.INT) {
                    return new Fixed(descriptor, name, spec, Fixed.INT, 4);
                }
                break;
            case INT8:
                if (kind == ValueKind.LONG && physical == PrimitiveTypeName.INT64) {
                    return new Fixed(descriptor, name, spec, Fixed.LONG, 8);
                }
                break;
            case FLOAT4:
                if (kind == ValueKind.FLOAT) {
                    return new Fixed(descriptor, name, spec, Fixed.FLOAT, 4);
                }
                break;
            case FLOAT8:
                if (kind == ValueKind.DOUBLE) {
                    return new Fixed(descriptor, name, spec, Fixed.DOUBLE, 8);
                }
                break;
            case DATE:
                if (kind == ValueKind.DATE) {
                    return new Fixed(descriptor, name, spec, Fixed.DATE, 4);
                }
                break;
            case TIMESTAMP:
            case TIMESTAMPTZ:
                boolean utc = spec.wire() == PgWire.TIMESTAMPTZ;
                if (kind == (utc ? ValueKind.TIMESTAMP_UTC : ValueKind.TIMESTAMP_LOCAL)
                        && logical instanceof TimestampLogicalTypeAnnotation
                        && ((TimestampLogicalTypeAnnotation) logical).getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS) {
                    return new Fixed(descriptor, name, spec, utc ? Fixed.INSTANT : Fixed.LOCAL, 8);
                }
                break;
            case NUMERIC:
                if (kind == ValueKind.DECIMAL) {
                    int scale = ((DecimalLogicalTypeAnnotation) logical).getScale();
                    if (physical == PrimitiveTypeName.INT32 || physical == PrimitiveTypeName.INT64) {
                        return new NumericLong(descriptor, name, spec, scale);
                    }
                    return new Binaries(descriptor, name, spec, Binaries.NUMERIC, scale);
                }
                break;
            case TEXT:
                if (kind == ValueKind.STRING) {
                    return new Binaries(descriptor, name, spec, Binaries.TEXT, 0);
                }
                break;
            case JSON:
            case JSONB:
                if (kind == ValueKind.JSON) {
                    return new Binaries(descriptor, name, spec, spec.wire() == PgWire.JSON ? Binaries.TEXT : Binaries.JSONB, 0);
                }
                break;
            case UUID:
                if (kind == ValueKind.STRING) {
                    return new Binaries(descriptor, name, spec, Binaries.UUID, 0);
                }
                break;
            case BYTEA:
                if (kind == ValueKind.BYTES) {
                    return new Binaries(descriptor, name, spec, Binaries.BYTEA, 0);
                }
                break;
            default:
                break;
        }
        return new Generic(layout, descriptor, spec);
    }

    /** A field column of the kind this decoder fills, for batches of up to {@code capacity} rows. */
    abstract FieldColumn newColumn(int capacity);

    /** Starts on the column's chunk in a new row group of {@code rows} rows. */
    abstract void start(PageReadStore pages, VersionParser.ParsedVersion writer, long rows);

    /** Decodes the next {@code rows} rows into {@code into}; {@code firstRow} numbers the first from 1. */
    abstract void decode(FieldColumn into, int rows, long firstRow);

    /** An unrepeated column's chunk holds one value, NULL or not, for each row of its row group. */
    static void requireOneValuePerRow(String column, long values, long rows) {
        if (values != rows) {
            throw new FormatException("column \"" + column + "\" holds " + values + " values in a row group of "
                    + rows + " rows");
        }
    }

    /** A decoder of an unrepeated column, which reads its pages itself. */
    abstract static class Flat extends ColumnDecoder {
        final FlatPages pages;
        /** The values of a run of rows with NULLs among them, before they go to their rows. */
        long[] scratch = new long[0];

        Flat(ColumnDescriptor descriptor, String column, PgWire.Spec spec) {
            super(descriptor, column, spec);
            this.pages = new FlatPages(descriptor, column);
        }

        @Override
        void start(PageReadStore store, VersionParser.ParsedVersion writer, long rows) {
            pages.start(store.getPageReader(descriptor), writer, rows);
        }

        /**
         * Reads the next {@code rows} fixed-width values into {@code values[0, rows)}, marking the
         * NULL rows in {@code nulls} (their slots keep whatever they held).
         */
        final void fixedRows(long[] values, int rows, FieldColumn.Fixed nulls) {
            FlatPages p = pages;
            for (int done = 0; done < rows; ) {
                int run = p.take(rows - done);
                if (p.allDefined()) {
                    p.fixed(values, done, run);
                } else {
                    int n = p.definedIn(run);
                    if (scratch.length < n) {
                        scratch = new long[Math.max(n, 1024)];
                    }
                    long[] s = scratch;
                    p.fixed(s, 0, n);
                    int k = 0;
                    for (int i = 0; i < run; i++) {
                        if (p.defined(i)) {
                            values[done + i] = s[k++];
                        } else {
                            nulls.setNull(done + i);
                        }
                    }
                }
                p.skip(run);
                done += run;
            }
        }
    }

    /** The forms of 1 to 8 bytes, kept as longs from the page to the field. */
    static final class Fixed extends Flat {
        static final int BOOL = 0;
        static final int INT = 1;
        static final int LONG = 2;
        static final int FLOAT = 3;
        static final int DOUBLE = 4;
        static final int DATE = 5;
        static final int INSTANT = 6;
        static final int LOCAL = 7;

        private final int op;
        private final int width;

        Fixed(ColumnDescriptor descriptor, String column, PgWire.Spec spec, int op, int width) {
            super(descriptor, column, spec);
            this.op = op;
            this.width = width;
        }

        @Override
        FieldColumn newColumn(int capacity) {
            return new FieldColumn.Fixed(width, capacity);
        }

        @Override
        void decode(FieldColumn into, int rows, long firstRow) {
            FieldColumn.Fixed out = (FieldColumn.Fixed) into;
            long[] values = out.values;
            fixedRows(values, rows, out);
            // The page holds the value as Parquet stores it; only dates and timestamps count from
            // another epoch in PostgreSQL, and must still fit its field once moved there.
            boolean[] nulls = out.anyNull ? out.nulls : null;
            switch (op) {
                case DATE:
                    for (int i = 0; i < rows; i++) {
                        if (nulls != null && nulls[i]) {
                            continue;
                        }
                        long days = values[i] - PgWire.PG_EPOCH_DAYS;
                        if (days < Integer.MIN_VALUE) {
                            throw PgBinaryEncoder.mismatch(firstRow + i, column,
                                    LocalDate.ofEpochDay(days + PgWire.PG_EPOCH_DAYS), spec, "integer overflow");
                        }
                        values[i] = days;
                    }
                    break;
                case INSTANT:
                case LOCAL:
                    for (int i = 0; i < rows; i++) {
                        if (nulls != null && nulls[i]) {
                            continue;
                        }
                        long micros = values[i];
                        // Below this, PostgreSQL's microseconds from 2000 do not fit in a long.
                        if (micros < Long.MIN_VALUE + PgWire.PG_EPOCH_MICROS) {
                            throw PgBinaryEncoder.mismatch(firstRow + i, column, timestamp(micros, op == INSTANT),
                                    spec, "long overflow");
                        }
                        values[i] = micros - PgWire.PG_EPOCH_MICROS;
                    }
                    break;
                case BOOL:
                case INT:
                case LONG:
                case FLOAT:
                case DOUBLE:
                    break;
                default:
                    throw new IllegalStateException("no fixed form " + op);
            }
        }

        private static Object timestamp(long micros, boolean utc) {
            long seconds = Math.floorDiv(micros, 1_000_000L);
            int nanos = (int) (Math.floorMod(micros, 1_000_000L) * 1000);
            return utc ? Instant.ofEpochSecond(seconds, nanos) : LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
        }
    }

    /** PostgreSQL's numeric from a DECIMAL stored as INT32 or INT64, through long arithmetic. */
    static final class NumericLong extends Flat {
        private final Numerics numerics;
        private FieldColumn.Fixed unscaled = new FieldColumn.Fixed(8, 0);

        NumericLong(ColumnDescriptor descriptor, String column, PgWire.Spec spec, int scale) {
            super(descriptor, column, spec);
            this.numerics = new Numerics(column, spec, scale);
        }

        @Override
        FieldColumn newColumn(int capacity) {
            return new FieldColumn.Bytes(capacity);
        }

        @Override
        void decode(FieldColumn into, int rows, long firstRow) {
            FieldColumn.Bytes out = (FieldColumn.Bytes) into;
            if (unscaled.values.length < rows) {
                unscaled = new FieldColumn.Fixed(8, rows);
            }
            FieldColumn.Fixed values = unscaled;
            values.reset();
            fixedRows(values.values, rows, values);
            for (int i = 0; i < rows; i++) {
                if (values.anyNull && values.nulls[i]) {
                    out.nullField();
                } else {
                    numerics.write(out, values.values[i], firstRow + i);
                }
            }
        }
    }

    /**
     * numeric's binary form (base-10000 digits without leading or trailing zero groups) of an
     * unscaled value at a fixed scale; what {@link PgBinaryEncoder} does with a BigDecimal, in
     * longs where the value allows, through that encoder where it does not.
     */
    static final class Numerics {
        /** Scaling by up to 10^3 to align the point to a digit group must not overflow. */
        private static final long LONG_LIMIT = Long.MAX_VALUE / 1000;
        private static final long[] POW10 = {1, 10, 100, 1000};

        private final String column;
        private final PgWire.Spec spec;
        private final int scale;
        private final int[] groups = new int[8];
        private final PgBinaryEncoder wide = new PgBinaryEncoder(List.of(), List.of());

        Numerics(String column, PgWire.Spec spec, int scale) {
            this.column = column;
            this.spec = spec;
            this.scale = scale;
        }

        void write(FieldColumn.Bytes out, long unscaled, long row) {
            if (unscaled < -LONG_LIMIT || unscaled > LONG_LIMIT || scale < 0) {
                write(out, BigInteger.valueOf(unscaled), row);
                return;
            }
            int pad = (4 - scale % 4) % 4;
            long m = Math.abs(unscaled) * POW10[pad];
            int fractionGroups = (scale + pad) / 4;
            int n = 0;
            while (m != 0) {
                groups[n++] = (int) (m % 10_000);
                m /= 10_000;
            }
            int low = 0;
            while (low < n && groups[low] == 0) {
                low++;
            }
            int ndigits = n - low;
            out.begin(8 + 2 * ndigits);
            out.put16(ndigits);
            out.put16(ndigits == 0 ? 0 : n - 1 - fractionGroups);
            out.put16(ndigits == 0 ? 0 : (unscaled < 0 ? 0x4000 : 0));
            out.put16(scale);
            for (int k = n - 1; k >= low; k--) {
                out.put16(groups[k]);
            }
            out.end();
        }

        void write(FieldColumn.Bytes out, BigInteger unscaled, long row) {
            wide.encodeField(spec, new BigDecimal(unscaled, scale), column, row);
            out.encoded(wide.buffer(), 0, wide.length());
        }
    }

    /**
     * The forms taken from Parquet byte arrays: text, JSON, bytea, a uuid's text, a DECIMAL's
     * bytes. A dictionary-encoded chunk encodes each entry once, when a row first uses it.
     */
    static final class Binaries extends Flat {
        static final int TEXT = 0;
        static final int JSONB = 1;
        static final int BYTEA = 2;
        static final int UUID = 3;
        static final int NUMERIC = 4;

        private final int form;
        private final Numerics numerics;
        private final FieldColumn.Bytes entry = new FieldColumn.Bytes(1);
        private long row;
        /** The chunk's dictionary entries in binary COPY form, each encoded when a row first uses it. */
        private byte[][] entries;
        private final byte[] uuid = new byte[16];
        private final View view = new View();

        Binaries(ColumnDescriptor descriptor, String column, PgWire.Spec spec, int form, int scale) {
            super(descriptor, column, spec);
            this.form = form;
            this.numerics = form == NUMERIC ? new Numerics(column, spec, scale) : null;
        }

        @Override
        FieldColumn newColumn(int capacity) {
            return new FieldColumn.Bytes(capacity);
        }

        @Override
        void start(PageReadStore store, VersionParser.ParsedVersion writer, long rows) {
            super.start(store, writer, rows);
            entries = null;
        }

        @Override
        void decode(FieldColumn into, int rows, long firstRow) {
            FieldColumn.Bytes out = (FieldColumn.Bytes) into;
            FlatPages p = pages;
            View v = view;
            for (int done = 0; done < rows; ) {
                int run = p.take(rows - done);
                // One page has one encoding: the branch on it goes the same way for the whole run.
                int encoding = p.encoding();
                for (int i = 0; i < run; i++) {
                    if (!p.defined(i)) {
                        out.nullField();
                        continue;
                    }
                    row = firstRow + done + i;
                    if (encoding == FlatPages.PLAIN) {
                        p.plainBinary(v);
                        encode(v.bytes, v.off, v.len, null, out);
                    } else if (encoding == FlatPages.DICTIONARY) {
                        fromDictionary(p.nextId(), out);
                    } else {
                        encode(p.otherBinary(), out);
                    }
                }
                p.skip(run);
                done += run;
            }
        }

        private void fromDictionary(int id, FieldColumn.Bytes out) {
            if (entries == null) {
                entries = new byte[pages.dictionary().getMaxId() + 1][];
            }
            byte[] encoded = entries[id];
            if (encoded == null) {
                // Encoded on first use: an entry no row uses must not fail the file.
                entry.reset();
                encode(pages.dictionary().decodeToBinary(id), entry);
                encoded = java.util.Arrays.copyOf(entry.data, entry.used);
                entries[id] = encoded;
            }
            out.encoded(encoded, 0, encoded.length);
        }

        private void encode(Binary value, FieldColumn.Bytes to) {
            if (view.of(value)) {
                encode(view.bytes, view.off, view.len, value, to);
            } else {
                byte[] bytes = value.getBytes();
                encode(bytes, 0, bytes.length, value, to);
            }
        }

        /** The text of UTF-8 bytes as parquet-java's Binary gives it, malformed sequences replaced alike. */
        private static String utf8(byte[] bytes, int off, int len, Binary value) {
            return value != null ? value.toStringUsingUTF8()
                    : StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(bytes, off, len)).toString();
        }

        /** {@code value}: the Binary the bytes came from, or null when they are a slice of a page. */
        private void encode(byte[] bytes, int off, int len, Binary value, FieldColumn.Bytes to) {
            switch (form) {
                case TEXT:
                    if (ascii(bytes, off, len)) {
                        to.field(bytes, off, len);
                    } else {
                        // Through a String as before, so malformed UTF-8 gives the same bytes.
                        byte[] text = utf8(bytes, off, len, value).getBytes(StandardCharsets.UTF_8);
                        to.field(text, 0, text.length);
                    }
                    break;
                case JSONB:
                    byte[] doc = bytes;
                    int docOff = off;
                    int docLen = len;
                    if (!ascii(bytes, off, len)) {
                        doc = utf8(bytes, off, len, value).getBytes(StandardCharsets.UTF_8);
                        docOff = 0;
                        docLen = doc.length;
                    }
                    to.begin(1 + docLen);
                    to.put8(1);
                    to.put(doc, docOff, docLen);
                    to.end();
                    break;
                case BYTEA:
                    to.field(bytes, off, len);
                    break;
                case UUID:
                    if (!parseUuid(bytes, off, len)) {
                        String text = utf8(bytes, off, len, value);
                        byte[] parsed = PgWire.parseUuid(text);
                        if (parsed == null) {
                            throw PgBinaryEncoder.mismatch(row, column, text, spec, "not a canonical uuid text");
                        }
                        System.arraycopy(parsed, 0, uuid, 0, 16);
                    }
                    to.field(uuid, 0, 16);
                    break;
                case NUMERIC:
                    numeric(bytes, off, len, to);
                    break;
                default:
                    throw new IllegalStateException("no binary form " + form);
            }
        }

        /** A DECIMAL's big-endian two's complement bytes; in a long when they fit in one. */
        private void numeric(byte[] bytes, int off, int len, FieldColumn.Bytes to) {
            if (len == 0 || len > 8 && !signExtended(bytes, off, len)) {
                // new BigInteger fails an empty array as the decoding did before.
                numerics.write(to, new BigInteger(bytes, off, len), row);
                return;
            }
            int from = len > 8 ? off + len - 8 : off;
            long v = bytes[from];
            for (int i = from + 1; i < off + len; i++) {
                v = v << 8 | (bytes[i] & 0xff);
            }
            numerics.write(to, v, row);
        }

        /** Whether every byte before the last eight only repeats the sign of the eighth from the end. */
        private static boolean signExtended(byte[] bytes, int off, int len) {
            byte sign = (byte) (bytes[off + len - 8] >> 7);
            for (int i = off; i < off + len - 8; i++) {
                if (bytes[i] != sign) {
                    return false;
                }
            }
            return true;
        }

        /** PgWire.parseUuid over ASCII bytes; false when it needs the text (not ASCII, or not a uuid). */
        private boolean parseUuid(byte[] b, int off, int len) {
            if (len != 36) {
                return false;
            }
            int n = 0;
            for (int i = 0; i < 36; ) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                    if (b[off + i] != '-') {
                        return false;
                    }
                    i++;
                    continue;
                }
                int hi = hex(b[off + i]);
                int lo = hex(b[off + i + 1]);
                if (hi < 0 || lo < 0) {
                    return false;
                }
                uuid[n++] = (byte) (hi << 4 | lo);
                i += 2;
            }
            return true;
        }

        private static int hex(byte c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            return -1;
        }

        private static boolean ascii(byte[] b, int off, int len) {
            int end = off + len;
            int i = off;
            for (; i + 8 <= end; i += 8) {
                if (((long) FieldColumn.LONG.get(b, i) & 0x8080808080808080L) != 0) {
                    return false;
                }
            }
            for (; i < end; i++) {
                if (b[i] < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Where a Binary's bytes are, without the ByteBuffer view or the copy its other accessors
     * make per value: every heap-backed Binary writes itself to a stream as one slice of its array.
     */
    static final class View extends java.io.OutputStream {
        byte[] bytes;
        int off;
        int len;
        private int writes;

        /** Whether {@code value} is one slice of a heap array, now in {@link #bytes}, {@link #off}, {@link #len}. */
        boolean of(Binary value) {
            writes = 0;
            try {
                value.writeTo(this);
            } catch (java.io.IOException e) {
                return false;
            }
            return writes == 1;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            this.bytes = b;
            this.off = off;
            this.len = len;
            writes++;
        }

        @Override
        public void write(int b) {
            // A Binary not backed by one array writes byte by byte: not a slice.
            writes += 2;
        }
    }

    /**
     * Any other column: each value as the Java object the row reader gives, encoded by
     * {@link PgBinaryEncoder}; arrays are put together from the repetition and definition levels.
     */
    static final class Generic extends ColumnDecoder {
        private final boolean list;
        /** Definition levels: below {@code listDefined} the list is NULL, below {@code elementDefined} empty. */
        private final int listDefined;
        private final int elementDefined;
        private final PrimitiveConverter leaf;
        private final PgBinaryEncoder encoder = new PgBinaryEncoder(List.of(), List.of());
        private Object value;
        private List<Object> elements;
        private ColumnReaderImpl reader;
        private long valuesLeft;

        Generic(ColumnLayout layout, ColumnDescriptor descriptor, PgWire.Spec spec) {
            super(descriptor, layout.column.name(), spec);
            this.list = layout.nesting != ColumnLayout.Nesting.NONE;
            this.listDefined = layout.column.nullable() ? 1 : 0;
            this.elementDefined = listDefined + 1;
            ValueKind kind = layout.column.type().kind();
            this.leaf = list
                    ? ValueConverters.of(layout.leaf, kind, v -> elements.add(v))
                    : ValueConverters.of(layout.leaf, kind, v -> value = v);
        }

        @Override
        FieldColumn newColumn(int capacity) {
            return new FieldColumn.Bytes(capacity);
        }

        @Override
        void start(PageReadStore pages, VersionParser.ParsedVersion writer, long rows) {
            reader = new ColumnReaderImpl(descriptor, pages.getPageReader(descriptor), leaf, writer);
            valuesLeft = reader.getTotalValueCount();
            if (descriptor.getMaxRepetitionLevel() == 0) {
                requireOneValuePerRow(column, valuesLeft, rows);
            }
        }

        private boolean isNull() {
            return reader.getCurrentDefinitionLevel() < maxDefinition;
        }

        private void consume() {
            reader.consume();
            valuesLeft--;
        }

        @Override
        void decode(FieldColumn into, int rows, long firstRow) {
            FieldColumn.Bytes out = (FieldColumn.Bytes) into;
            for (int i = 0; i < rows; i++) {
                Object v = list ? nextList() : nextValue();
                encoder.encodeField(spec, v, column, firstRow + i);
                out.encoded(encoder.buffer(), 0, encoder.length());
            }
        }

        private Object nextValue() {
            Object v = null;
            if (!isNull()) {
                reader.writeCurrentValueToConverter();
                v = value;
            }
            consume();
            return v;
        }

        private Object nextList() {
            int level = reader.getCurrentDefinitionLevel();
            if (level < listDefined) {
                consume();
                return null;
            }
            elements = new ArrayList<>();
            if (level >= elementDefined) {
                element(level);
            }
            consume();
            while (valuesLeft > 0 && reader.getCurrentRepetitionLevel() > 0) {
                element(reader.getCurrentDefinitionLevel());
                consume();
            }
            return Collections.unmodifiableList(elements);
        }

        private void element(int level) {
            if (level < maxDefinition) {
                elements.add(null);
            } else {
                reader.writeCurrentValueToConverter();
            }
        }
    }
}
