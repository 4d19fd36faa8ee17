package io.pgfreezer.format;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlainCodecFactoryTest {
    /** Repetitive like a page of sensor readings, so every codec actually compresses it. */
    private static final byte[] PAGE = "sensor 17 reading 21.5 ok;".repeat(4000).getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @EnumSource(value = CompressionCodecName.class, names = {"SNAPPY", "ZSTD", "GZIP", "UNCOMPRESSED"})
    void everyCodecTheConfigAllowsRoundTripsThroughBothDecompressPaths(CompressionCodecName codec) throws IOException {
        BytesInputCompressor compressor = PlainCodecFactory.INSTANCE.getCompressor(codec);
        byte[] compressed = compressor.compress(BytesInput.from(PAGE)).toByteArray();
        BytesInputDecompressor decompressor = PlainCodecFactory.INSTANCE.getDecompressor(codec);

        assertThat(compressor.getCodecName()).isEqualTo(codec);
        if (codec != CompressionCodecName.UNCOMPRESSED) {
            assertThat(compressed.length).isLessThan(PAGE.length / 10);
        }
        assertThat(decompressor.decompress(BytesInput.from(compressed), PAGE.length).toByteArray()).isEqualTo(PAGE);
        ByteBuffer out = ByteBuffer.allocateDirect(PAGE.length);
        decompressor.decompress(ByteBuffer.wrap(compressed), compressed.length, out, PAGE.length);
        out.flip();
        byte[] read = new byte[out.remaining()];
        out.get(read);
        assertThat(read).isEqualTo(PAGE);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodecName.class, names = {"SNAPPY", "ZSTD", "GZIP"})
    void aPageThatDecompressesToAnotherSizeThanDeclaredIsAnError(CompressionCodecName codec) throws IOException {
        byte[] compressed = PlainCodecFactory.INSTANCE.getCompressor(codec).compress(BytesInput.from(PAGE)).toByteArray();

        assertThatThrownBy(() -> PlainCodecFactory.INSTANCE.getDecompressor(codec)
                .decompress(BytesInput.from(compressed), PAGE.length + 1).toByteArray())
                .isInstanceOf(Exception.class);
    }

    @Test
    void aCodecPgFreezerDoesNotWriteIsRefusedByName() {
        assertThatThrownBy(() -> PlainCodecFactory.INSTANCE.getDecompressor(CompressionCodecName.BROTLI))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("BROTLI")
                .hasMessageContaining("snappy, zstd, gzip");
    }
}
