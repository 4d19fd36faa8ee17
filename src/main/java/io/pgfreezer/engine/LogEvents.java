package io.pgfreezer.engine;

import java.util.Set;

/**
 * The stable {@code event} names of pg-freezer's log lines, one per kind of event, so log
 * collectors can count and alert on them without parsing messages. Attached to a line as the
 * structured key-value pair {@code event}; numeric facts travel beside it as {@code rows},
 * {@code bytes}, {@code seconds}, {@code windows}. Lines that carry no name are {@code log}.
 */
public final class LogEvents {
    /** The key-value pair that names the event. */
    public static final String KEY = "event";

    public static final String RUN_STARTED = "run_started";
    public static final String RUN_DONE = "run_done";
    public static final String TABLE_STARTED = "table_started";
    public static final String TABLE_DONE = "table_done";
    public static final String TABLE_BUSY = "table_busy";
    public static final String TABLE_FAILED = "table_failed";
    public static final String BATCH_DONE = "batch_done";
    public static final String BATCH_FAILED = "batch_failed";
    public static final String BATCH_SKIPPED = "batch_skipped";
    /** Stopped by the database or storage; the batch resumes on the next run. */
    public static final String BATCH_STOPPED = "batch_stopped";
    public static final String BATCH_DRY_RUN = "batch_dry_run";
    public static final String RETRY = "retry";
    /** What a line without a name of its own carries. */
    public static final String GENERIC = "log";

    /**
     * Lines a terminal shows with {@code -v} only; JSON logs always carry them. One line per
     * batch would flood a terminal for an hourly table (24 a day, 720 for a month to catch up),
     * and the table's {@link #TABLE_DONE} line sums them up; {@link #RUN_DONE} repeats the
     * summary the command prints on stdout.
     */
    public static final Set<String> TERMINAL_DETAIL = Set.of(BATCH_DONE, BATCH_DRY_RUN, RUN_DONE);

    private LogEvents() {
    }
}
