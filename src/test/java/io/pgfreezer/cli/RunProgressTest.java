package io.pgfreezer.cli;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.Window;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RunProgressTest {
    static final long SECOND = 1_000_000_000L;
    static final Window JAN_20 = Window.containing(Instant.parse("2024-01-20T10:00:00Z"), Granularity.DAILY);
    static final Window JAN_20_HOUR = Window.containing(Instant.parse("2024-01-20T10:30:00Z"), Granularity.HOURLY);

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(0);
    private final Progress progress = new Progress(new PrintStream(screen, true, StandardCharsets.UTF_8), now::get, 200);
    private final RunProgress listener = new RunProgress(progress, now::get);

    /** What the terminal shows now: the text after the last erase. */
    private String line() {
        String s = screen.toString(StandardCharsets.UTF_8);
        return s.substring(s.lastIndexOf(Progress.ERASE_LINE) + Progress.ERASE_LINE.length());
    }

    private static BatchOutcome finished(String table, Window w) {
        return new BatchOutcome(table, "b", w, BatchOutcome.Result.DONE, 0, 0, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, null);
    }

    @Test
    void showsTheWindowRowsBytesAndRateOfTheBatchInProgress() {
        listener.batchStarted("public.sensor_readings", JAN_20);
        assertThat(line()).isEqualTo("public.sensor_readings 2024-01-20: 0 rows, 0 B");

        now.addAndGet(2 * SECOND);
        listener.rowsExported("public.sensor_readings", 50_000, 3 * 1024 * 1024);
        now.addAndGet(2 * SECOND);
        listener.rowsExported("public.sensor_readings", 50_000, 2 * 1024 * 1024);

        assertThat(line()).isEqualTo("public.sensor_readings 2024-01-20: 100,000 rows, 5.0 MB, 25,000 rows/s");
    }

    @Test
    void rowsExportedWithinAQuarterSecondOfTheLastUpdateWaitForTheNextDueOne() {
        listener.batchStarted("public.a", JAN_20);
        now.addAndGet(SECOND);
        listener.rowsExported("public.a", 1_000, 1024);
        now.addAndGet(Progress.MIN_INTERVAL_NANOS / 10);
        listener.rowsExported("public.a", 1_000, 1024);
        // A log line redraws the latest text the line was given.
        progress.otherOutput("log\n".getBytes(StandardCharsets.UTF_8), 0, 4);

        assertThat(line()).startsWith("public.a 2024-01-20: 1,000 rows");

        now.addAndGet(Progress.MIN_INTERVAL_NANOS);
        listener.rowsExported("public.a", 1_000, 1024);

        assertThat(line()).startsWith("public.a 2024-01-20: 3,000 rows");
    }

    @Test
    void tablesRunningInParallelShareTheLineAndLeaveItWhenTheirBatchEnds() {
        listener.batchStarted("public.a", JAN_20);
        now.addAndGet(SECOND);
        listener.batchStarted("public.b", JAN_20_HOUR);
        assertThat(line()).isEqualTo("public.a 2024-01-20: 0 rows, 0 B  |  public.b 2024-01-20T10:00: 0 rows, 0 B");

        now.addAndGet(SECOND);
        listener.batchFinished(finished("public.a", JAN_20));
        assertThat(line()).isEqualTo("public.b 2024-01-20T10:00: 0 rows, 0 B");

        listener.batchFinished(finished("public.b", JAN_20_HOUR));
        assertThat(line()).isEmpty();
    }

    @Test
    void theRateStopsAtTheLastExportedRowsSoVerifyAndDeleteDoNotDragItDown() {
        listener.batchStarted("public.a", JAN_20);
        now.addAndGet(SECOND);
        listener.rowsExported("public.a", 1_000, 1024);
        now.addAndGet(60 * SECOND);
        listener.batchStarted("public.b", JAN_20);

        assertThat(line()).startsWith("public.a 2024-01-20: 1,000 rows, 1.0 KB, 1,000 rows/s");
    }

    @Test
    void showsWhichWindowOfTheTablesPlanAndAnEtaFromTheTimePerFinishedWindow() {
        listener.tablePlanned("public.a", 48);
        listener.batchStarted("public.a", JAN_20_HOUR);
        assertThat(line()).as("no estimate before a window has finished")
                .isEqualTo("public.a 2024-01-20T10:00 (window 1/48): 0 rows, 0 B");

        now.addAndGet(10 * SECOND);
        listener.batchFinished(finished("public.a", JAN_20_HOUR));
        now.addAndGet(10 * SECOND);
        listener.batchFinished(finished("public.a", JAN_20_HOUR));
        listener.batchStarted("public.a", JAN_20_HOUR);

        // 20 s for 2 windows: 10 s each, 46 to go.
        assertThat(line()).isEqualTo("public.a 2024-01-20T10:00 (window 3/48, ETA 7m40s): 0 rows, 0 B");
    }

    @Test
    void etaIsShortAtEveryScale() {
        assertThat(RunProgress.eta(0)).isEqualTo("0s");
        assertThat(RunProgress.eta(59)).isEqualTo("59s");
        assertThat(RunProgress.eta(60)).isEqualTo("1m00s");
        assertThat(RunProgress.eta(3599)).isEqualTo("59m59s");
        assertThat(RunProgress.eta(3 * 3600 + 7 * 60 + 30)).isEqualTo("3h07m");
    }

    @Test
    void monthlyWindowsShowTheMonth() {
        assertThat(RunProgress.label(Window.containing(Instant.parse("2024-03-15T00:00:00Z"), Granularity.MONTHLY)))
                .isEqualTo("2024-03");
    }
}
