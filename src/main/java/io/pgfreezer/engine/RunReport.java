package io.pgfreezer.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Everything one run did, for the summary, the exit code and the metrics. */
public final class RunReport {
    private final List<BatchOutcome> batches = Collections.synchronizedList(new ArrayList<>());
    private final List<String> busyTables = Collections.synchronizedList(new ArrayList<>());
    private final List<String> tableErrors = Collections.synchronizedList(new ArrayList<>());

    void add(BatchOutcome outcome) {
        batches.add(outcome);
    }

    void busy(String table) {
        busyTables.add(table);
    }

    void tableError(String table, String message) {
        tableErrors.add(table + ": " + message);
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

    /** A cron job must see a failure: any failed, blocked or errored batch, or a table that errored. */
    public boolean succeeded() {
        return tableErrors().isEmpty() && batches().stream().noneMatch(BatchOutcome::needsAttention);
    }
}
