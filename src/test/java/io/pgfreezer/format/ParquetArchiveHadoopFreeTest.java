package io.pgfreezer.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobalStorageStatistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgfreezer.config.GlobalConfig.Compression;

/**
 * Writing and reading never create a Hadoop {@code FileSystem}: every Hadoop file system
 * registers its statistics globally when created, and after a full write, verify and read with
 * each codec there are none. The same probe then sees one as soon as a file system is created,
 * so an empty registry is evidence, not an accident. (The writer's Hadoop-{@code Configuration}
 * entry points throw, so every write in this suite also proves the builder took the
 * {@code PlainParquetConfiguration} path.)
 */
class ParquetArchiveHadoopFreeTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @Test
    void writingAndReadingNeverCreateAHadoopFileSystem() throws Exception {
        assumeFalse(GlobalStorageStatistics.INSTANCE.iterator().hasNext(),
                "another test in this JVM already created a Hadoop file system; the probe cannot tell");

        for (Compression codec : Compression.values()) {
            Path file = dir.resolve(codec + ".parquet");
            ArchiveFiles.writeFixture(file, codec);
            ParquetArchiveReader.verify(file);
            ArchiveFiles.readAll(file);
        }

        assertThat(GlobalStorageStatistics.INSTANCE.iterator().hasNext())
                .as("Hadoop file systems created while writing and reading")
                .isFalse();

        FileSystem local;
        try {
            local = FileSystem.newInstanceLocal(new Configuration(false));
        } catch (UnsupportedOperationException e) {
            // Java 24+ removed what Hadoop's user lookup needs, so no Hadoop file system can be
            // created at all here: the writes and reads above succeeding is then proof by itself.
            assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(24);
            assertThat(e).hasMessageContaining("getSubject");
            return;
        }
        try (local) {
            assertThat(local.getScheme()).isEqualTo("file");
            assertThat(GlobalStorageStatistics.INSTANCE.iterator().hasNext()).as("the probe works").isTrue();
        }
    }
}
