package io.pgfreezer.cli;

import io.pgfreezer.engine.BatchOutcome;
import io.pgfreezer.engine.ProgressListener;
import io.pgfreezer.engine.Window;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.LongSupplier;

/**
 * Turns the engine's progress events into the status line of {@code run} and {@code replay}:
 * for every table with a batch in progress, its window, which of the run's windows it is with an
 * estimate of the time the table still needs, the rows and bytes read so far and the export rate,
 * e.g. {@code public.sensor_readings 2024-01-20 (window 3/48, ETA 2m10s): 86,400 rows, 5.2 MB, 41,000 rows/s}.
 * <p>
 * The estimate is the table's average time per finished window so far, times the windows left:
 * windows of one table hold similar amounts of rows, and nothing better is known before they run.
 */
final class RunProgress implements ProgressListener {
    private static final String SEPARATOR = "  |  ";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:00", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Progress line;
    private final LongSupplier nanoTime;
    /** Tables with a batch in progress, in the order they started; guarded by {@code this}. */
    private final Map<String, Batch> active = new LinkedHashMap<>();
    /** Every table planned in this run; guarded by {@code this}. */
    private final Map<String, Table> tables = new LinkedHashMap<>();
    /** When exported rows last redrew the line; guarded by {@code this}. */
    private long lastRowsRender;
    private boolean renderedRows;

    RunProgress(Progress line, LongSupplier nanoTime) {
        this.line = line;
        this.nanoTime = nanoTime;
    }

    private static final class Table {
        final int windows;
        final long started;
        int finished;

        Table(int windows, long started) {
            this.windows = windows;
            this.started = started;
        }

        /** {@code window 3/48, ETA 2m10s}; no estimate before a window has finished. */
        String position(long now) {
            String position = "window " + Math.min(windows, finished + 1) + "/" + windows;
            if (finished == 0) {
                return position;
            }
            long nanosPerWindow = (now - started) / finished;
            return position + ", ETA " + eta(nanosPerWindow * (windows - finished) / 1_000_000_000L);
        }
    }

    private static final class Batch {
        final String window;
        final long started;
        long rows;
        long bytes;
        long lastRows;

        Batch(String window, long started) {
            this.window = window;
            this.started = started;
            this.lastRows = started;
        }

        String describe(String position) {
            double seconds = (lastRows - started) / 1e9;
            String rate = rows == 0 || seconds <= 0 ? "" : ", " + HumanFormat.count(Math.round(rows / seconds)) + " rows/s";
            return window + (position == null ? "" : " (" + position + ")") + ": " + HumanFormat.count(rows) + " rows, "
                    + HumanFormat.size(bytes) + rate;
        }
    }

    /** {@code 45s}, {@code 12m05s}, {@code 3h07m}: precise enough to plan by, short enough for the line. */
    static String eta(long seconds) {
        if (seconds < 60) {
            return Math.max(0, seconds) + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }

    static String label(Window w) {
        return switch (w.granularity()) {
            case HOURLY -> HOUR.format(w.start());
            case DAILY -> DAY.format(w.start());
            case MONTHLY -> MONTH.format(w.start());
        };
    }

    @Override
    public synchronized void tablePlanned(String table, int windows) {
        tables.put(table, new Table(windows, nanoTime.getAsLong()));
    }

    @Override
    public synchronized void batchStarted(String table, Window window) {
        active.put(table, new Batch(label(window), nanoTime.getAsLong()));
        render();
    }

    @Override
    public synchronized void rowsExported(String table, long rows, long bytes) {
        Batch b = active.get(table);
        if (b == null) {
            return;
        }
        b.rows += rows;
        b.bytes += bytes;
        b.lastRows = nanoTime.getAsLong();
        // Called for every batch of a few thousand rows, on the export's writer thread: building
        // the text each time cost that thread 8% of its time, for a line drawn four times a second.
        if (!renderedRows || b.lastRows - lastRowsRender >= Progress.MIN_INTERVAL_NANOS) {
            renderedRows = true;
            lastRowsRender = b.lastRows;
            render();
        }
    }

    @Override
    public synchronized void batchFinished(BatchOutcome outcome) {
        active.remove(outcome.table());
        Table t = tables.get(outcome.table());
        if (t != null) {
            t.finished++;
        }
        render();
    }

    private void render() {
        StringJoiner text = new StringJoiner(SEPARATOR);
        long now = nanoTime.getAsLong();
        active.forEach((table, batch) -> {
            Table t = tables.get(table);
            text.add(table + " " + batch.describe(t == null || t.windows == 0 ? null : t.position(now)));
        });
        line.update(text.toString());
    }
}
