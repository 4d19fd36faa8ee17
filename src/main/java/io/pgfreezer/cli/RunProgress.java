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
 * for every table with a batch in progress, its window, the rows and bytes read so far and the
 * export rate, e.g. {@code public.sensor_readings 2024-01-20: 86,400 rows, 5.2 MB, 41,000 rows/s}.
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

    RunProgress(Progress line, LongSupplier nanoTime) {
        this.line = line;
        this.nanoTime = nanoTime;
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

        String describe() {
            double seconds = (lastRows - started) / 1e9;
            String rate = rows == 0 || seconds <= 0 ? "" : ", " + HumanFormat.count(Math.round(rows / seconds)) + " rows/s";
            return window + ": " + HumanFormat.count(rows) + " rows, " + HumanFormat.size(bytes) + rate;
        }
    }

    static String label(Window w) {
        return switch (w.granularity()) {
            case HOURLY -> HOUR.format(w.start());
            case DAILY -> DAY.format(w.start());
            case MONTHLY -> MONTH.format(w.start());
        };
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
        render();
    }

    @Override
    public synchronized void batchFinished(BatchOutcome outcome) {
        active.remove(outcome.table());
        render();
    }

    private void render() {
        StringJoiner text = new StringJoiner(SEPARATOR);
        active.forEach((table, batch) -> text.add(table + " " + batch.describe()));
        line.update(text.toString());
    }
}
