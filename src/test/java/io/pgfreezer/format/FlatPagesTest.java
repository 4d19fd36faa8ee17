package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;

/**
 * The page decoder's own parts: the RLE / bit-packing hybrid against parquet-java's encoder at
 * every bit width, and pages that do not hold what their headers say, which must fail naming the
 * column rather than give wrong values.
 */
class FlatPagesTest {

    @Test
    void theHybridDecodesWhatParquetJavaEncodesAtEveryWidth() throws IOException {
        Random random = new Random(7);
        for (int width = 1; width <= 32; width++) {
            int[] values = new int[5_000];
            long mask = (1L << width) - 1;
            for (int i = 0; i < values.length; ) {
                // Repeats long enough for RLE runs, between stretches of noise for bit-packed ones.
                int run = random.nextBoolean() ? 1 + random.nextInt(60) : 1;
                int v = (int) (random.nextLong() & mask);
                for (int k = 0; k < run && i < values.length; k++) {
                    values[i++] = v;
                }
            }
            byte[] encoded = encode(width, values);
            int[] decoded = new int[values.length];

            FlatPages.Hybrid.decode(encoded, 0, encoded.length, width, decoded, values.length, "c");

            assertThat(decoded).as("width %d", width).isEqualTo(values);
        }
    }

    @Test
    void hybridDataCutShortFailsNamingTheColumn() throws IOException {
        int[] values = new int[1_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 7919 & 0xfff;
        }
        byte[] encoded = encode(12, values);
        byte[] cut = Arrays.copyOf(encoded, encoded.length - 3);

        assertThatThrownBy(() -> FlatPages.Hybrid.decode(cut, 0, cut.length, 12, new int[values.length], values.length,
                "sensor"))
                .isInstanceOf(FormatException.class)
                .hasMessage("a page of column \"sensor\" ends inside its run-length encoded data");
    }

    @Test
    void aDictionaryIdBeyondTheDictionaryFailsNamingTheColumn() throws IOException {
        ColumnDescriptor column = required(PrimitiveTypeName.INT32, "sensor");
        DictionaryPage dictionary = new DictionaryPage(BytesInput.from(le32(10, 20)), 2, Encoding.PLAIN_DICTIONARY);
        byte[] ids = encode(3, new int[] {0, 1, 5, 1});
        byte[] page = new byte[1 + ids.length];
        page[0] = 3;
        System.arraycopy(ids, 0, page, 1, ids.length);
        FlatPages pages = new FlatPages(column, "sensor");
        pages.start(reader(4, dictionary, v1(page, 4, Encoding.RLE_DICTIONARY)), null, 4);

        assertThatThrownBy(() -> pages.take(4))
                .isInstanceOf(FormatException.class)
                .hasMessage("column \"sensor\" refers to dictionary entry 5 of 2");
    }

    @Test
    void dictionaryIdsGiveTheDictionarysValues() throws IOException {
        ColumnDescriptor column = required(PrimitiveTypeName.INT32, "sensor");
        DictionaryPage dictionary = new DictionaryPage(BytesInput.from(le32(10, 20, -30)), 3, Encoding.PLAIN_DICTIONARY);
        byte[] ids = encode(2, new int[] {2, 0, 1, 1, 2});
        byte[] page = new byte[1 + ids.length];
        page[0] = 2;
        System.arraycopy(ids, 0, page, 1, ids.length);
        FlatPages pages = new FlatPages(column, "sensor");
        pages.start(reader(5, dictionary, v1(page, 5, Encoding.RLE_DICTIONARY)), null, 5);
        long[] values = new long[5];

        assertThat(pages.take(10)).isEqualTo(5);
        pages.fixed(values, 0, 5);

        assertThat(values).containsExactly(-30, 10, 20, 20, -30);
    }

    @Test
    void aPlainPageShorterThanItsValueCountFails() {
        ColumnDescriptor column = required(PrimitiveTypeName.INT64, "recorded_at");
        FlatPages pages = new FlatPages(column, "recorded_at");
        // Four values counted, bytes for two.
        pages.start(reader(4, null, v1(new byte[16], 4, Encoding.PLAIN)), null, 4);
        long[] values = new long[4];

        assertThat(pages.take(4)).isEqualTo(4);
        assertThatThrownBy(() -> pages.fixed(values, 0, 4))
                .isInstanceOf(FormatException.class)
                .hasMessage("a page of column \"recorded_at\" ends before the values its header counts");
    }

    @Test
    void pagesThatEndBeforeTheChunksValueCountFail() {
        ColumnDescriptor column = required(PrimitiveTypeName.INT64, "recorded_at");
        FlatPages pages = new FlatPages(column, "recorded_at");
        pages.start(reader(6, null, v1(new byte[32], 4, Encoding.PLAIN)), null, 6);
        long[] values = new long[6];

        int run = pages.take(6);
        pages.fixed(values, 0, run);
        pages.skip(run);

        assertThat(run).isEqualTo(4);
        assertThatThrownBy(() -> pages.take(2))
                .isInstanceOf(FormatException.class)
                .hasMessage("column \"recorded_at\" has no page for its last 2 values");
    }

    @Test
    void aChunkWhoseValueCountDiffersFromItsRowGroupsFails() {
        ColumnDescriptor column = required(PrimitiveTypeName.INT64, "recorded_at");
        FlatPages pages = new FlatPages(column, "recorded_at");

        assertThatThrownBy(() -> pages.start(reader(3, null), null, 4))
                .isInstanceOf(FormatException.class)
                .hasMessage("column \"recorded_at\" holds 3 values in a row group of 4 rows");
    }

    private static ColumnDescriptor required(PrimitiveTypeName type, String name) {
        return new ColumnDescriptor(new String[] {name}, Types.required(type).named(name), 0, 0);
    }

    private static byte[] encode(int width, int[] values) throws IOException {
        RunLengthBitPackingHybridEncoder encoder = new RunLengthBitPackingHybridEncoder(width, 64, 1 << 20,
                HeapByteBufferAllocator.getInstance());
        for (int v : values) {
            encoder.writeInt(v);
        }
        return encoder.toBytes().toByteArray();
    }

    private static byte[] le32(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static DataPage v1(byte[] bytes, int values, Encoding encoding) {
        return new DataPageV1(BytesInput.from(bytes), values, bytes.length, null, Encoding.BIT_PACKED, Encoding.BIT_PACKED,
                encoding);
    }

    private static PageReader reader(long total, DictionaryPage dictionary, DataPage... pages) {
        Deque<DataPage> left = new ArrayDeque<>(List.of(pages));
        return new PageReader() {
            @Override
            public DictionaryPage readDictionaryPage() {
                return dictionary;
            }

            @Override
            public long getTotalValueCount() {
                return total;
            }

            @Override
            public DataPage readPage() {
                return left.poll();
            }
        };
    }
}
