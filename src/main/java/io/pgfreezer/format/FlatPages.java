package io.pgfreezer.format;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.apache.parquet.CorruptDeltaByteArrays;
import org.apache.parquet.VersionParser;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.RequiresPreviousReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The pages of one unrepeated column chunk, decoded a page at a time: definition levels and
 * dictionary ids into int arrays in one pass per page, plain values read straight out of the
 * page's bytes. parquet-java still reads, checks (CRC) and decompresses the pages; what this
 * replaces is its column reader, which goes through a level decoder, a values reader and a
 * converter call for every single value. Value encodings other than plain and dictionary (the
 * delta and byte-stream-split encodings other writers use) are read through parquet-java's own
 * values readers, one value at a time, as its column reader would.
 *
 * <p>A caller takes the rows of a batch in runs that lie within one page ({@link #take}), asks
 * which are defined, reads the defined values in order, and then moves past the run
 * ({@link #skip}). Not thread-safe.
 */
final class FlatPages {
    /** How the current page's values are encoded. */
    static final int PLAIN = 0;
    static final int DICTIONARY = 1;
    static final int OTHER = 2;

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ColumnDescriptor descriptor;
    private final String column;
    private final PrimitiveTypeName physical;
    private final int maxDefinition;
    private final int fixedLength;

    private PageReader pages;
    private VersionParser.ParsedVersion writer;
    private Dictionary dictionary;
    private long[] dictionaryValues;
    private long valuesLeft;

    private int encoding;
    private int pageLeft;
    private int[] levels = new int[0];
    private int levelAt;
    private boolean allDefined;
    private byte[] data;
    private int at;
    private int end;
    private int bit;
    private int[] ids = new int[0];
    private int idAt;
    private int idCount;
    private int defined;
    private ValuesReader other;

    FlatPages(ColumnDescriptor descriptor, String column) {
        if (descriptor.getMaxRepetitionLevel() != 0) {
            throw new IllegalArgumentException(column + " is repeated");
        }
        this.descriptor = descriptor;
        this.column = column;
        this.physical = descriptor.getPrimitiveType().getPrimitiveTypeName();
        this.maxDefinition = descriptor.getMaxDefinitionLevel();
        this.fixedLength = physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
                ? descriptor.getPrimitiveType().getTypeLength() : 0;
    }

    /** Starts on the column's chunk in a new row group of {@code rows} rows. */
    void start(PageReader pages, VersionParser.ParsedVersion writer, long rows) {
        this.pages = pages;
        this.writer = writer;
        this.valuesLeft = pages.getTotalValueCount();
        ColumnDecoder.requireOneValuePerRow(column, valuesLeft, rows);
        this.pageLeft = 0;
        this.other = null;
        this.dictionaryValues = null;
        DictionaryPage page = pages.readDictionaryPage();
        try {
            this.dictionary = page == null ? null : page.getEncoding().initDictionary(descriptor, page);
        } catch (IOException e) {
            throw new FormatException("the dictionary of column \"" + column + "\" does not decode: " + e.getMessage(), e);
        }
    }

    /** How the values of the page in hand are encoded: {@link #PLAIN}, {@link #DICTIONARY} or {@link #OTHER}. */
    int encoding() {
        return encoding;
    }

    /** The chunk's dictionary; only asked for while a dictionary-encoded page is in hand. */
    Dictionary dictionary() {
        return dictionary;
    }

    /**
     * Rows the caller may take from the page in hand, at most {@code wanted}; reads the next page
     * when this one is done.
     *
     * @throws FormatException when the chunk's pages end before its value count
     */
    int take(int wanted) {
        while (pageLeft == 0) {
            if (valuesLeft == 0) {
                throw new FormatException("column \"" + column + "\" ends before the last row of its row group");
            }
            DataPage page = pages.readPage();
            if (page == null) {
                throw new FormatException("column \"" + column + "\" has no page for its last " + valuesLeft
                        + " values");
            }
            load(page);
        }
        return Math.min(wanted, pageLeft);
    }

    /** Whether every row of the page in hand holds a value. */
    boolean allDefined() {
        return allDefined;
    }

    /** Whether row {@code i} of the run last taken holds a value. */
    boolean defined(int i) {
        return allDefined || levels[levelAt + i] == maxDefinition;
    }

    /** Values among the next {@code rows} rows of the run last taken. */
    int definedIn(int rows) {
        if (allDefined) {
            return rows;
        }
        int n = 0;
        for (int i = levelAt, e = levelAt + rows; i < e; i++) {
            if (levels[i] == maxDefinition) {
                n++;
            }
        }
        return n;
    }

    /** Moves past {@code rows} rows of the page in hand, once their values were read. */
    void skip(int rows) {
        levelAt += rows;
        pageLeft -= rows;
        valuesLeft -= rows;
    }

    /**
     * Reads the next {@code count} values of a column of 1 to 8 bytes into {@code into} from
     * {@code off}: an INT32 as a signed int, a FLOAT as its raw int bits (sign-extended), an INT64
     * as is, a DOUBLE as its raw long bits, a BOOLEAN as 0 or 1.
     */
    void fixed(long[] into, int off, int count) {
        switch (encoding) {
            case PLAIN:
                plainFixed(into, off, count);
                break;
            case DICTIONARY:
                long[] entries = dictionaryValues();
                int[] id = ids;
                int from = nextIds(count);
                for (int i = 0; i < count; i++) {
                    into[off + i] = entries[id[from + i]];
                }
                break;
            default:
                for (int i = 0; i < count; i++) {
                    into[off + i] = otherFixed();
                }
                break;
        }
    }

    private void plainFixed(long[] into, int off, int count) {
        byte[] d = data;
        int p = at;
        switch (physical) {
            case INT32:
            case FLOAT:
                need(4L * count);
                for (int i = 0; i < count; i++, p += 4) {
                    into[off + i] = (int) LE_INT.get(d, p);
                }
                break;
            case INT64:
            case DOUBLE:
                need(8L * count);
                for (int i = 0; i < count; i++, p += 8) {
                    into[off + i] = (long) LE_LONG.get(d, p);
                }
                break;
            case BOOLEAN:
                // Bit-packed, least significant bit first; a run may start inside a byte.
                int b = bit;
                if (((long) b + count + 7) / 8 > end - at) {
                    throw shortPage();
                }
                for (int i = 0; i < count; i++, b++) {
                    into[off + i] = (d[p + (b >>> 3)] >>> (b & 7)) & 1;
                }
                p += b >>> 3;
                bit = b & 7;
                break;
            default:
                throw new IllegalStateException("no fixed-width values in a " + physical + " column");
        }
        at = p;
    }

    private long otherFixed() {
        switch (physical) {
            case INT32:
                return other.readInteger();
            case FLOAT:
                return Float.floatToRawIntBits(other.readFloat());
            case INT64:
                return other.readLong();
            case DOUBLE:
                return Double.doubleToRawLongBits(other.readDouble());
            case BOOLEAN:
                return other.readBoolean() ? 1 : 0;
            default:
                throw new IllegalStateException("no fixed-width values in a " + physical + " column");
        }
    }

    private long[] dictionaryValues() {
        if (dictionaryValues == null) {
            Dictionary d = dictionary;
            long[] values = new long[d.getMaxId() + 1];
            for (int id = 0; id < values.length; id++) {
                switch (physical) {
                    case INT32:
                        values[id] = d.decodeToInt(id);
                        break;
                    case FLOAT:
                        values[id] = Float.floatToRawIntBits(d.decodeToFloat(id));
                        break;
                    case INT64:
                        values[id] = d.decodeToLong(id);
                        break;
                    case DOUBLE:
                        values[id] = Double.doubleToRawLongBits(d.decodeToDouble(id));
                        break;
                    default:
                        throw new FormatException("column \"" + column + "\" has a dictionary of " + physical + " values");
                }
            }
            dictionaryValues = values;
        }
        return dictionaryValues;
    }

    /** The dictionary id of the next value of a dictionary-encoded page. */
    int nextId() {
        return ids[nextIds(1)];
    }

    /** Where the next {@code count} ids start in {@link #ids}; moves past them. */
    private int nextIds(int count) {
        if (idAt + count > idCount) {
            throw shortPage();
        }
        int from = idAt;
        idAt += count;
        return from;
    }

    /**
     * Puts the next value of a plain-encoded BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY page in
     * {@code into}, a slice of the page's bytes valid until the next page is read.
     */
    void plainBinary(ColumnDecoder.View into) {
        int len;
        int p = at;
        if (fixedLength > 0) {
            len = fixedLength;
        } else {
            need(4);
            len = (int) LE_INT.get(data, p);
            p += 4;
            if (len < 0) {
                throw new FormatException("column \"" + column + "\" has a value of negative length " + len);
            }
        }
        if (len > end - p) {
            throw shortPage();
        }
        into.bytes = data;
        into.off = p;
        into.len = len;
        at = p + len;
    }

    /** The next value of a page in another encoding, from parquet-java's values reader. */
    Binary otherBinary() {
        return other.readBytes();
    }

    private void need(long bytes) {
        if (bytes > end - at) {
            throw shortPage();
        }
    }

    private FormatException shortPage() {
        return new FormatException("a page of column \"" + column + "\" ends before the values its header counts");
    }

    private void load(DataPage page) {
        int count = page.getValueCount();
        if (count < 0 || count > valuesLeft) {
            throw new FormatException("a page of column \"" + column + "\" counts " + count + " values; the chunk has "
                    + valuesLeft + " left");
        }
        try {
            if (page instanceof DataPageV1 v1) {
                loadV1(v1, count);
            } else if (page instanceof DataPageV2 v2) {
                loadV2(v2, count);
            } else {
                throw new FormatException("column \"" + column + "\" has a page of unknown kind " + page.getClass().getName());
            }
        } catch (IOException e) {
            throw new FormatException("a page of column \"" + column + "\" does not decode: " + e.getMessage(), e);
        }
        pageLeft = count;
    }

    private void loadV1(DataPageV1 page, int count) throws IOException {
        ByteBuffer bytes = page.getBytes().toByteBuffer();
        byte[] d;
        int p;
        int e;
        if (bytes.hasArray()) {
            d = bytes.array();
            p = bytes.arrayOffset() + bytes.position();
            e = p + bytes.remaining();
        } else {
            d = new byte[bytes.remaining()];
            bytes.get(d);
            p = 0;
            e = d.length;
        }
        // An unrepeated column's repetition levels take no bytes, whatever encoding the page names.
        if (maxDefinition == 0) {
            noLevels(count);
        } else if (page.getDlEncoding() == Encoding.RLE) {
            if (e - p < 4) {
                throw shortPage();
            }
            int length = (int) LE_INT.get(d, p);
            p += 4;
            if (length < 0 || length > e - p) {
                throw shortPage();
            }
            hybridLevels(d, p, p + length, count);
            p += length;
        } else {
            // The deprecated bit-packed levels of very old writers, through parquet-java.
            ByteBufferInputStream in = ByteBufferInputStream.wrap(ByteBuffer.wrap(d, p, e - p));
            ValuesReader reader = page.getDlEncoding().getValuesReader(descriptor, ValuesType.DEFINITION_LEVEL);
            reader.initFromPage(count, in);
            int[] l = levelsFor(count);
            for (int i = 0; i < count; i++) {
                l[i] = reader.readInteger();
            }
            definedLevels(count);
            p += (int) in.position();
        }
        values(page.getValueEncoding(), d, p, e, count);
    }

    private void loadV2(DataPageV2 page, int count) throws IOException {
        if (maxDefinition == 0) {
            noLevels(count);
        } else {
            byte[] l = page.getDefinitionLevels().toByteArray();
            hybridLevels(l, 0, l.length, count);
        }
        byte[] d = page.getData().toByteArray();
        values(page.getDataEncoding(), d, 0, d.length, count);
    }

    private void noLevels(int count) {
        allDefined = true;
        levelAt = 0;
        defined = count;
    }

    private int[] levelsFor(int count) {
        if (levels.length < count) {
            levels = new int[Math.max(count, 2 * levels.length)];
        }
        levelAt = 0;
        return levels;
    }

    private void hybridLevels(byte[] d, int from, int to, int count) {
        int[] l = levelsFor(count);
        Hybrid.decode(d, from, to, BytesUtils.getWidthFromMaxInt(maxDefinition), l, count, column);
        definedLevels(count);
    }

    private void definedLevels(int count) {
        int[] l = levels;
        int n = 0;
        for (int i = 0; i < count; i++) {
            int level = l[i];
            if (level == maxDefinition) {
                n++;
            } else if (level < 0 || level > maxDefinition) {
                throw new FormatException("column \"" + column + "\" has definition level " + level + " above its "
                        + "maximum " + maxDefinition);
            }
        }
        defined = n;
        allDefined = n == count;
    }

    private void values(Encoding valueEncoding, byte[] d, int from, int to, int count) throws IOException {
        data = d;
        at = from;
        end = to;
        bit = 0;
        ValuesReader before = other;
        if (valueEncoding == Encoding.PLAIN) {
            encoding = PLAIN;
            other = null;
        } else if (valueEncoding == Encoding.PLAIN_DICTIONARY || valueEncoding == Encoding.RLE_DICTIONARY) {
            if (dictionary == null) {
                throw new FormatException("column \"" + column + "\" has a dictionary-encoded page but no dictionary");
            }
            encoding = DICTIONARY;
            other = null;
            if (to - from < 1) {
                if (defined > 0) {
                    throw shortPage();
                }
                idCount = 0;
                idAt = 0;
                return;
            }
            int width = d[from] & 0xff;
            if (width > 32) {
                throw new FormatException("column \"" + column + "\" has dictionary ids of " + width + " bits");
            }
            if (ids.length < defined) {
                ids = new int[Math.max(defined, 2 * ids.length)];
            }
            Hybrid.decode(d, from + 1, to, width, ids, defined, column);
            int max = dictionary.getMaxId();
            for (int i = 0; i < defined; i++) {
                int id = ids[i];
                if (id < 0 || id > max) {
                    throw new FormatException("column \"" + column + "\" refers to dictionary entry " + id
                            + " of " + (max + 1));
                }
            }
            idCount = defined;
            idAt = 0;
        } else {
            encoding = OTHER;
            ValuesReader reader = valueEncoding.getValuesReader(descriptor, ValuesType.VALUES);
            reader.initFromPage(count, ByteBufferInputStream.wrap(ByteBuffer.wrap(d, from, to - from)));
            // As parquet-java's column reader: pages of some early writers' delta-encoded byte
            // arrays only decode with the previous page's reader at hand.
            if (CorruptDeltaByteArrays.requiresSequentialReads(writer, valueEncoding)
                    && reader instanceof RequiresPreviousReader sequential) {
                sequential.setPreviousReader(before);
            }
            other = reader;
        }
    }

    /** Parquet's RLE / bit-packing hybrid, decoded into ints in one call. */
    static final class Hybrid {
        private Hybrid() {
        }

        /**
         * Decodes {@code count} values of {@code width} bits from {@code d[from, to)} into
         * {@code into[0, count)}.
         *
         * @throws FormatException when the bytes end before {@code count} values
         */
        static void decode(byte[] d, int from, int to, int width, int[] into, int count, String column) {
            if (width == 0) {
                java.util.Arrays.fill(into, 0, count, 0);
                return;
            }
            int p = from;
            int n = 0;
            int valueBytes = (width + 7) / 8;
            long mask = (1L << width) - 1;
            while (n < count) {
                long header = 0;
                int shift = 0;
                while (true) {
                    if (p >= to) {
                        throw ended(column);
                    }
                    int b = d[p++];
                    header |= (long) (b & 0x7f) << shift;
                    if (b >= 0) {
                        break;
                    }
                    shift += 7;
                    if (shift > 35) {
                        throw new FormatException("column \"" + column + "\" has a malformed run header");
                    }
                }
                if ((header & 1) == 0) {
                    long run = header >>> 1;
                    if (to - p < valueBytes) {
                        throw ended(column);
                    }
                    int value = 0;
                    for (int i = 0; i < valueBytes; i++) {
                        value |= (d[p + i] & 0xff) << (8 * i);
                    }
                    p += valueBytes;
                    int take = (int) Math.min(run, count - n);
                    java.util.Arrays.fill(into, n, n + take, value);
                    n += take;
                } else {
                    long groups = header >>> 1;
                    long values = groups * 8;
                    int take = (int) Math.min(values, count - n);
                    // Only the values asked for need their bytes: a last run may be cut short.
                    long needed = ((long) take * width + 7) / 8;
                    if (needed > to - p) {
                        throw ended(column);
                    }
                    long acc = 0;
                    int bits = 0;
                    int q = p;
                    for (int i = 0; i < take; i++) {
                        while (bits < width) {
                            acc |= (d[q++] & 0xffL) << bits;
                            bits += 8;
                        }
                        into[n + i] = (int) (acc & mask);
                        acc >>>= width;
                        bits -= width;
                    }
                    n += take;
                    p = (int) Math.min(to, p + groups * width);
                }
            }
        }

        private static FormatException ended(String column) {
            return new FormatException("a page of column \"" + column + "\" ends inside its run-length encoded data");
        }
    }
}
