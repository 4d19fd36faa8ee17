package io.pgfreezer.engine;

import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.source.SourceTable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides which batches of one table a run works on, in window order: windows that hold rows
 * and are past the lag, and every unfinished batch. It walks from the oldest row, never capped
 * at the newest row (so a table that stopped receiving data still gets its last window), and
 * jumps over empty stretches with one index lookup each.
 */
final class WindowPlanner {

    /** One unit of work: an existing manifest to resume, or a new batch to create. */
    record Planned(Window window, BatchManifest manifest, boolean isNew) {
    }

    /** A DONE window that holds rows because they were restored from its archive, left alone. */
    record Restored(Window window, BatchManifest manifest) {
    }

    private final List<Restored> restored = new ArrayList<>();

    private final TableConfig table;
    private final Instant cutoff;
    private final Optional<Instant> from;
    private final Optional<Instant> to;

    WindowPlanner(TableConfig table, Instant now, Optional<Instant> from, Optional<Instant> to) {
        this.table = table;
        this.cutoff = now.minus(table.lag());
        this.from = from;
        this.to = to;
    }

    Instant cutoff() {
        return cutoff;
    }

    boolean eligible(Window w) {
        return w.isClosedBy(cutoff)
                && from.map(f -> !w.start().isBefore(f)).orElse(true)
                && to.map(t -> !w.end().isAfter(t)).orElse(true);
    }

    private Instant scanLimit() {
        return to.filter(t -> t.isBefore(cutoff)).orElse(cutoff);
    }

    List<Planned> plan(SourceTable source, List<BatchManifest> manifests) {
        restored.clear();
        Map<String, BatchManifest> byId = new HashMap<>();
        Map<String, List<BatchManifest>> lateByParent = new HashMap<>();
        TreeMap<Instant, Window> windows = new TreeMap<>();
        for (BatchManifest m : manifests) {
            byId.put(m.batchId(), m);
            if (m.isLate()) {
                lateByParent.computeIfAbsent(m.parentBatchId(), k -> new ArrayList<>()).add(m);
            }
            Window w = new Window(m.windowStart(), m.windowEnd(), table.partitionBy());
            if (m.status() != BatchStatus.DONE && eligible(w)) {
                windows.put(w.start(), w);
            }
        }
        Map<Instant, Boolean> hasRows = new HashMap<>();
        Instant limit = scanLimit();
        Optional<Instant> next = source.firstTimestamp(from.orElse(null), limit);
        while (next.isPresent()) {
            Window w = Window.containing(next.get(), table.partitionBy());
            if (w.end().isAfter(limit)) {
                break;
            }
            if (eligible(w)) {
                windows.putIfAbsent(w.start(), w);
                hasRows.put(w.start(), true);
            }
            next = source.firstTimestamp(w.end(), limit);
        }

        List<Planned> plan = new ArrayList<>();
        for (Window w : windows.values()) {
            String id = BatchIds.of(table.schema(), table.name(), w);
            BatchManifest own = byId.get(id);
            if (own == null) {
                plan.add(new Planned(w, newBatch(id, w, BatchManifest.KIND_WINDOW, null, dataPath(w)), true));
                continue;
            }
            if (own.status() != BatchStatus.DONE) {
                plan.add(new Planned(w, own, false));
                continue;
            }
            if (own.restoreStarted()) {
                // Its rows are the archive's own, put back on purpose: archiving them as late rows
                // would store every one of them a second time.
                if (hasRows.getOrDefault(w.start(), false)) {
                    restored.add(new Restored(w, own));
                }
                continue;
            }
            List<BatchManifest> lates = lateByParent.getOrDefault(id, List.of());
            List<BatchManifest> unfinished = lates.stream()
                    .filter(m -> m.status() != BatchStatus.DONE)
                    .sorted(Comparator.comparing(BatchManifest::batchId))
                    .toList();
            unfinished.forEach(m -> plan.add(new Planned(w, m, false)));
            if (unfinished.isEmpty() && hasRows.getOrDefault(w.start(), false)) {
                // Rows in a DONE window arrived after it was archived: they get a file of their own.
                int sequence = lates.size() + 1;
                String lateId = BatchIds.late(id, sequence);
                plan.add(new Planned(w, newBatch(lateId, w, BatchManifest.KIND_LATE, id, latePath(w, sequence)), true));
            }
        }
        return plan;
    }

    /** The restored windows with rows that the last {@link #plan} left out. */
    List<Restored> restored() {
        return List.copyOf(restored);
    }

    private BatchManifest newBatch(String id, Window w, String kind, String parent, String path) {
        return BatchManifest.pending(id, table.schema(), table.name(), w.partition(), w.start(), w.end(), path,
                kind, parent);
    }

    String dataPath(Window w) {
        return ArchiveLayout.dataKey(table, w);
    }

    String latePath(Window w, int sequence) {
        return ArchiveLayout.lateKey(table, w, sequence);
    }
}
