package io.pgfreezer.metrics;

import io.pgfreezer.engine.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TextfileWriterTest {
    static final Instant FIRST = Instant.parse("2024-02-01T01:00:00Z");
    static final Instant SECOND = Instant.parse("2024-02-01T02:00:00Z");

    @TempDir
    Path dir;

    private static double timestamp(Path file, String table) throws IOException {
        return PrometheusText.parse(Files.readString(file)).get("pg_freezer_last_run_timestamp_seconds")
                .value(Map.of("table", table));
    }

    private static Set<String> tablesIn(Path file) throws IOException {
        return Set.copyOf(PrometheusText.parse(Files.readString(file)).get("pg_freezer_table_busy").series().stream()
                .map(s -> s.labels().get("table")).toList());
    }

    @Test
    void writesTheFileThroughATemporaryNameThatLeavesNothingBehind() throws IOException {
        Path file = dir.resolve("textfile/pg_freezer.prom");
        TextfileWriter writer = new TextfileWriter(file);

        writer.write(RunMetrics.of(new RunReport(), List.of("public.a"), FIRST), Set.of("public.a"));
        writer.write(RunMetrics.of(new RunReport(), List.of("public.a"), SECOND), Set.of("public.a"));

        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(timestamp(file, "public.a")).isEqualTo(SECOND.getEpochSecond());
    }

    @Test
    void fileIsReadableByTheCollectorRunningAsAnotherUser() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = dir.resolve("pg_freezer.prom");

        new TextfileWriter(file).write(RunMetrics.of(new RunReport(), List.of("public.a"), FIRST), Set.of("public.a"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    }

    @Test
    void aRunOfOneTableKeepsTheOtherConfiguredTablesAndDropsUnconfiguredOnes() throws IOException {
        Path file = dir.resolve("pg_freezer.prom");
        TextfileWriter writer = new TextfileWriter(file);
        writer.write(RunMetrics.of(new RunReport(), List.of("public.a", "public.b", "public.gone"), FIRST),
                Set.of("public.a", "public.b", "public.gone"));

        writer.write(RunMetrics.of(new RunReport(), List.of("public.a"), SECOND), Set.of("public.a", "public.b"));

        assertThat(tablesIn(file)).containsExactlyInAnyOrder("public.a", "public.b");
        assertThat(timestamp(file, "public.a")).isEqualTo(SECOND.getEpochSecond());
        assertThat(timestamp(file, "public.b")).isEqualTo(FIRST.getEpochSecond());
    }

    @Test
    void anUnreadablePreviousFileIsReplacedByThisRunsMetrics() throws IOException {
        Path file = Files.writeString(dir.resolve("pg_freezer.prom"), "this is not { exposition text\n");

        new TextfileWriter(file).write(RunMetrics.of(new RunReport(), List.of("public.a"), FIRST), Set.of("public.a"));

        assertThat(tablesIn(file)).containsExactly("public.a");
    }
}
