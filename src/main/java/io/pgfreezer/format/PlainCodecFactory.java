package io.pgfreezer.format;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Parquet page compression without Hadoop: parquet-java's own {@code CodecFactory} builds every
 * codec but UNCOMPRESSED through Hadoop's codec classes, which cost the jar some 45 MB of Hadoop.
 * This factory implements parquet-java's Hadoop-free {@link CompressionCodecFactory} with the
 * libraries those Hadoop codecs wrap anyway: snappy-java (raw Snappy blocks, as Parquet's SNAPPY
 * is), zstd-jni (standard Zstandard frames, level 3 as parquet-java's default) and
 * {@code java.util.zip} (GZIP members, as Hadoop's GzipCodec writes them).
 * <p>
 * Stateless and thread-safe: every call allocates what it needs, which for page-sized inputs
 * (1 MiB) costs less than pooling would save.
 */
final class PlainCodecFactory implements CompressionCodecFactory {
    static final PlainCodecFactory INSTANCE = new PlainCodecFactory();
    /** parquet-java's default ZSTD level ({@code parquet.compression.codec.zstd.level}). */
    static final int ZSTD_LEVEL = 3;

    private PlainCodecFactory() {
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        Codec c = codec(codec);
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                return BytesInput.from(c.compress(bytes.toByteArray()));
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {
                // Nothing held between calls.
            }
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        Codec c = codec(codec);
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
                return BytesInput.from(c.decompress(bytes.toByteArray(), decompressedSize));
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
                    throws IOException {
                byte[] in = new byte[compressedSize];
                input.duplicate().get(in);
                output.put(c.decompress(in, decompressedSize));
            }

            @Override
            public void release() {
                // Nothing held between calls.
            }
        };
    }

    @Override
    public void release() {
        // Nothing held between calls.
    }

    private interface Codec {
        byte[] compress(byte[] raw) throws IOException;

        byte[] decompress(byte[] compressed, int size) throws IOException;
    }

    private static Codec codec(CompressionCodecName name) {
        return switch (name) {
            case UNCOMPRESSED -> new Codec() {
                @Override
                public byte[] compress(byte[] raw) {
                    return raw;
                }

                @Override
                public byte[] decompress(byte[] compressed, int size) {
                    return compressed;
                }
            };
            case SNAPPY -> new Codec() {
                @Override
                public byte[] compress(byte[] raw) throws IOException {
                    return Snappy.compress(raw);
                }

                @Override
                public byte[] decompress(byte[] compressed, int size) throws IOException {
                    byte[] out = new byte[size];
                    int n = Snappy.uncompress(compressed, 0, compressed.length, out, 0);
                    return exact(out, n, size, name);
                }
            };
            case ZSTD -> new Codec() {
                @Override
                public byte[] compress(byte[] raw) {
                    return Zstd.compress(raw, ZSTD_LEVEL);
                }

                @Override
                public byte[] decompress(byte[] compressed, int size) throws IOException {
                    byte[] out = new byte[size];
                    long n = Zstd.decompress(out, compressed);
                    if (Zstd.isError(n)) {
                        throw new IOException("ZSTD page does not decompress: " + Zstd.getErrorName(n));
                    }
                    return exact(out, (int) n, size, name);
                }
            };
            case GZIP -> new Codec() {
                @Override
                public byte[] compress(byte[] raw) throws IOException {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 2));
                    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                        gzip.write(raw);
                    }
                    return out.toByteArray();
                }

                @Override
                public byte[] decompress(byte[] compressed, int size) throws IOException {
                    try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                        byte[] out = gzip.readNBytes(size);
                        if (gzip.read() != -1) {
                            throw new IOException("GZIP page holds more than the " + size + " bytes its header declares");
                        }
                        return exact(out, out.length, size, name);
                    }
                }
            };
            default -> throw new FormatException("Parquet compression " + name + " is not supported: pg-freezer writes "
                    + "and reads snappy, zstd, gzip and uncompressed pages");
        };
    }

    /** A page that decompresses to another size than its header declares is corrupt, not short. */
    private static byte[] exact(byte[] out, int n, int size, CompressionCodecName name) throws IOException {
        if (n != size) {
            throw new IOException(name + " page decompresses to " + n + " bytes, its header declares " + size);
        }
        return out;
    }
}
