package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pgfreezer.config.GlobalConfig.Compression;

class ParquetArchiveVerifyTest {

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @TempDir
    Path dir;

    @Test
    void verifyDecodesEveryRowAndMatchesTheFooter() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        VerifiedFile verified = ParquetArchiveReader.verify(file);

        assertThat(verified).isEqualTo(new VerifiedFile(TypeCases.ROWS, TypeCases.ROWS, 1));
    }

    /**
     * The writer stores a CRC for every page and the reader checks it, so a flipped byte inside
     * a data page fails verification whatever the codec, even where the codec would have
     * decompressed the damaged bytes without complaint. The checksum differs as well; the engine
     * compares both.
     */
    @ParameterizedTest
    @EnumSource(Compression.class)
    void aFlippedByteInADataPageFailsVerificationAndChangesTheChecksum(Compression codec) throws Exception {
        Path file = dir.resolve("data.parquet");
        WrittenFile written = ArchiveFiles.writeFixture(file, codec);
        ColumnChunkMetaData chunk = column(file, "s");
        long target = middleOfFirstDataPage(file, chunk);

        flipByte(file, target);

        assertThat(ArchiveFiles.sha256(file)).isNotEqualTo(written.sha256Hex());
        assertThatThrownBy(() -> ParquetArchiveReader.verify(file))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("does not decode")
                .hasMessageContaining("CRC");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 64})
    void theColumnsSplitOverThreadsDecodeToTheSameRowsAsOneThread(int threads) throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        assertThat(ParquetArchiveReader.verify(file, "data.parquet", threads))
                .isEqualTo(new VerifiedFile(TypeCases.ROWS, TypeCases.ROWS, 1));
    }

    /** The damaged column may be decoded on another thread than the caller's; it still fails. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aDamagedPageFailsVerificationWhicheverThreadDecodesItsColumn(int threads) throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);
        flipByte(file, middleOfFirstDataPage(file, column(file, "s")));

        assertThatThrownBy(() -> ParquetArchiveReader.verify(file, "data.parquet", threads))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("does not decode")
                .hasMessageContaining("CRC");
    }

    @Test
    void aTruncatedFileFailsWithAnOperatorMessage() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));

        assertThatThrownBy(() -> ParquetArchiveReader.verify(file))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith("Parquet file data.parquet is not readable Parquet");
    }

    @Test
    void aFileThatIsNotParquetFailsWithAnOperatorMessage() throws Exception {
        Path file = dir.resolve("data.parquet");
        Files.writeString(file, "id,value\n1,2\n");

        assertThatThrownBy(() -> ParquetArchiveReader.verify(file))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith("Parquet file data.parquet is not readable Parquet");
    }

    @Test
    void aMissingFileIsAFormatException() {
        assertThatThrownBy(() -> ParquetArchiveReader.verify(dir.resolve("absent.parquet")))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("does not exist");
    }

    private static ColumnChunkMetaData column(Path file, String name) throws IOException {
        return ArchiveFiles.footer(file).getBlocks().get(0).getColumns().stream()
                .filter(c -> c.getPath().toDotString().equals(name))
                .findFirst().orElseThrow();
    }

    /** The file offset of the middle of the first data page's body, past its header. */
    private static long middleOfFirstDataPage(Path file, ColumnChunkMetaData chunk) throws IOException {
        long pageStart = chunk.getFirstDataPageOffset();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(pageStart);
            InputStream in = Channels.newInputStream(channel);
            PageHeader header = Util.readPageHeader(in);
            long bodyStart = channel.position();
            assertThat(header.getType().name()).isEqualTo("DATA_PAGE");
            assertThat(header.isSetCrc()).as("the writer stores page CRCs").isTrue();
            return bodyStart + header.getCompressed_page_size() / 2;
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(offset)] ^= 0x5A;
        Files.write(file, bytes);
    }
}
