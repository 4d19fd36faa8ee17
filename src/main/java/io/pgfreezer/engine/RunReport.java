package io.pgfreezer.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Everything one run did, for the summary, the exit code and the metrics. */
public final class RunReport {
    private final List<BatchOutcome> batches = Collections.synchronizedList(new ArrayList<>());
    private final List<String> busyTables = Collections.synchronizedList(new ArrayList<>());
    private final List<String> tableErrors = Collections.synchronizedList(new ArrayList<>());
    private final java.util.Map<String, TableBacklog> backlogs = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger permanentTableErrors = new java.util.concurrent.atomic.AtomicInteger();

    private final List<String> restoredWindows = Collections.synchronizedList(new ArrayList<>());

    void restored(String line) {
        restoredWindows.add(line);
    }

    /** Windows left alone because their rows are in PostgreSQL again by a restore, one line each. */
    public List<String> restoredWindows() {
        synchronized (restoredWindows) {
            return List.copyOf(restoredWindows);
        }
    }

    void add(BatchOutcome outcome) {
        batches.add(outcome);
    }

    void busy(String table) {
        busyTables.add(table);
    }

    void tableError(String table, String message) {
        tableError(table, message, false);
    }

    /** @param transientFailure the database or storage was unreachable, still after retries */
    void tableError(String table, String message, boolean transientFailure) {
        tableErrors.add(table + ": " + message);
        if (!transientFailure) {
            permanentTableErrors.incrementAndGet();
        }
    }

    void backlog(String table, TableBacklog backlog) {
        backlogs.put(table, backlog);
    }

    /** The backlog of each table that was measured at the end of its run (schema.name to backlog). */
    public java.util.Map<String, TableBacklog> backlogs() {
        return java.util.Map.copyOf(backlogs);
    }

    public List<BatchOutcome> batches() {
        synchronized (batches) {
            return List.copyOf(batches);
        }
    }

    public List<String> busyTables() {
        synchronized (busyTables) {
            return List.copyOf(busyTables);
        }
    }

    public List<String> tableErrors() {
        synchronized (tableErrors) {
            return List.copyOf(tableErrors);
        }
    }

    public long count(BatchOutcome.Result result) {
        return batches().stream().filter(b -> b.result() == result).count();
    }

    /**
     * The run did not succeed only because the database or storage was unreachable or overloaded
     * (still after the in-run retries): nothing needs an operator, a later run resumes. A cron job
     * can then retry instead of paging.
     */
    public boolean onlyTransientFailures() {
        return !succeeded() && permanentTableErrors.get() == 0
                && batches().stream().filter(BatchOutcome::needsAttention)
                        .allMatch(b -> b.result() == BatchOutcome.Result.TRANSIENT);
    }

    /** A cron job must see a failure: any failed, blocked or errored batch, or a table that errored. */
    public boolean succeeded() {
        return tableErrors().isEmpty() && batches().stream().noneMatch(BatchOutcome::needsAttention);
    }
}
