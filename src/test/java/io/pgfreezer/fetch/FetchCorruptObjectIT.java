package io.pgfreezer.fetch;

import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code fetch} of an archived object whose data pages were damaged in storage after the upload. */
class FetchCorruptObjectIT {

    @Test
    void aCorruptedObjectIsNamedByItsStoragePathNotByTheLocalCopy() throws Exception {
        ArchiveFixture archive = Readings.fixture(ArchiveFixture.local());
        Readings.archive(archive);
        Path object = archive.root.resolve("readings/year=2024/month=01/day=22/data.parquet");
        corruptFirstDataPage(object);

        FetchCli.Run run = FetchCli.fetch(FetchCli.config(archive), "-t", "readings",
                "--from", "2024-01-22", "--to", "2024-01-23", "--format", "jsonl");

        assertThat(run.exit()).isNotZero();
        assertThat(run.stderr().lines().filter(l -> l.startsWith("error:")).toList()).singleElement().asString()
                .contains(object.toString())
                .contains("does not decode")
                .doesNotContain("pg-freezer-fetch-");
        assertThat(run.stderr()).doesNotContain("pg-freezer-fetch-");
    }

    /** Flips one byte in the middle of the data, before the footer, so the footer still reads. */
    private static void corruptFirstDataPage(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int dataEnd = bytes.length - 8 - footerLength;
        assertThat(dataEnd).isGreaterThan(64);
        int at = 4 + (dataEnd - 4) / 2;
        bytes[at] ^= (byte) 0x5A;
        Files.write(file, bytes);
    }
}
