package io.pgfreezer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Export decodes the next batch from PostgreSQL while the writer encodes the one before, on
 * another thread. A window of several batches shows that the overlap neither loses a failure of
 * the writer nor lets the decoder refill a batch the writer is still reading.
 */
class ExportPipelineIT {
    /** About five export batches (4,096 rows each) in one daily window. */
    static final int ROWS = 20_000;

    static ArchiveFixture readings(AtomicBoolean armed, AtomicInteger batches, long writerPauseMillis) {
        ArchiveFixture f = ArchiveFixture.local().clock(ExactValuesIT.CLOCK)
                .table("readings", "ts", Granularity.DAILY, Duration.ofDays(1))
                .format(ExactValuesIT.planted(batch -> {
                    if (batches.incrementAndGet() == 2 && armed.get()) {
                        throw new IllegalStateException("planted writer failure");
                    }
                    try {
                        // A slow writer: the decoder, were it not held back, would refill this batch meanwhile.
                        Thread.sleep(writerPauseMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        f.sql("CREATE TABLE readings (ts timestamptz NOT NULL, seq int8, note text)",
                "INSERT INTO readings SELECT timestamptz '2024-01-01 00:00+00' + g * interval '4 seconds', g, 'n' || g "
                        + "FROM generate_series(0, " + (ROWS - 1) + ") g");
        return f;
    }

    @Test
    void aWriterFailureInTheMiddleOfAWindowFailsTheBatchKeepsEveryRowAndAForcedRetryArchivesThemAll() throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicInteger batches = new AtomicInteger();
        ArchiveFixture f = readings(armed, batches, 0);

        RunReport failed = f.runAll();

        assertThat(failed.batches()).singleElement().satisfies(b -> {
            assertThat(b.result()).isEqualTo(BatchOutcome.Result.FAILED);
            assertThat(b.message()).contains("planted writer failure");
        });
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(ROWS);
        assertThat(f.manifests("readings")).singleElement()
                .satisfies(m -> assertThat(m.status()).isEqualTo(BatchStatus.FAILED));
        assertThat(dataFiles(f.root)).isEmpty();

        armed.set(false);
        RunReport retried = f.run(io.pgfreezer.engine.RunOptions.run(Optional.empty(), false, true));

        assertThat(retried.batches()).singleElement()
                .satisfies(b -> assertThat(b.result()).isEqualTo(BatchOutcome.Result.DONE));
        assertThat(f.count("SELECT count(*) FROM readings")).isZero();
        assertArchivedExactly(f);
    }

    @Test
    void aSlowWriterStillGetsEveryBatchIntactAndInOrder() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        ArchiveFixture f = readings(new AtomicBoolean(false), batches, 30);

        RunReport report = f.runAll();

        // DONE includes the value proof: every archived value matched what PostgreSQL sent.
        assertThat(report.batches()).singleElement()
                .satisfies(b -> assertThat(b.result()).isEqualTo(BatchOutcome.Result.DONE));
        assertThat(batches.get()).isGreaterThanOrEqualTo(5);
        assertThat(f.count("SELECT count(*) FROM readings")).isZero();
        assertArchivedExactly(f);
    }

    private static void assertArchivedExactly(ArchiveFixture f) throws Exception {
        assertThat(dataFiles(f.root)).hasSize(1);
        long n = ROWS - 1L;
        assertThat(DuckDb.rows("SELECT count(*), count(DISTINCT seq), sum(seq), min(seq), max(seq), "
                + "count(*) FILTER (WHERE note <> 'n' || seq), "
                + "count(*) FILTER (WHERE epoch_us(ts) <> epoch_us(TIMESTAMPTZ '2024-01-01 00:00:00+00') + seq * 4000000) "
                + "FROM " + DuckDb.table(f.root, "readings")))
                .containsExactly(List.of(String.valueOf(ROWS), String.valueOf(ROWS), String.valueOf(n * (n + 1) / 2),
                        "0", String.valueOf(n), "0", "0"));
    }

    private static List<Path> dataFiles(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }
}
