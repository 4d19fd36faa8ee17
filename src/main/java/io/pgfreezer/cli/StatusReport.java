package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfreezer.cli.TableRenderer.Column;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.IsoInstants;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.PythonStyleJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code status} shows: per configured table, how many batches it has in each state and the
 * newest window. Built from the manifests alone, so it needs storage but never the database.
 * Late batches (rows archived after their window was DONE) are batches like any other here.
 */
record StatusReport(List<TableStatus> tables) implements ManifestReport {

    private static final TableRenderer TABLE = new TableRenderer(List.of(
            Column.left("TABLE", 16),
            Column.right("TOTAL", 5),
            Column.right("DONE", 6),
            Column.right("FAILED", 6),
            Column.right("PENDING/OTHER", 14),
            Column.left("LATEST WINDOW", 0)));

    StatusReport {
        tables = List.copyOf(tables);
    }

    /** One entry per table, in the order given, including tables that have no manifest yet. */
    static StatusReport collect(List<TableConfig> tables, ManifestStore store) {
        List<TableStatus> statuses = new ArrayList<>(tables.size());
        for (TableConfig table : tables) {
            statuses.add(TableStatus.of(table, store.list(table.name())));
        }
        return new StatusReport(statuses);
    }

    /** FAILED batches over every table shown. */
    int failedBatches() {
        return tables.stream().mapToInt(t -> t.count(BatchStatus.FAILED)).sum();
    }

    @Override
    public List<String> humanLines() {
        List<List<String>> rows = new ArrayList<>(tables.size());
        for (TableStatus t : tables) {
            rows.add(List.of(
                    t.table().name(),
                    Integer.toString(t.total()),
                    Integer.toString(t.count(BatchStatus.DONE)),
                    Integer.toString(t.count(BatchStatus.FAILED)),
                    Integer.toString(t.total() - t.count(BatchStatus.DONE) - t.count(BatchStatus.FAILED)),
                    t.latestWindow().map(IsoInstants::format).orElse(HumanFormat.NONE)));
        }
        return TABLE.render(rows);
    }

    /**
     * The original's shape. {@code status_counts} lists only the states that occur, in state
     * machine order, as the original's counter did: absent means zero.
     */
    @Override
    public String json() {
        ArrayNode array = PythonStyleJson.array();
        for (TableStatus t : tables) {
            ObjectNode o = array.addObject();
            o.put("table", t.table().qualifiedName());
            o.put("total_batches", t.total());
            ObjectNode counts = o.putObject("status_counts");
            t.counts().forEach((status, n) -> counts.put(status.name(), n));
            o.put("latest_window", t.latestWindow().map(IsoInstants::format).orElse(null));
        }
        return PythonStyleJson.write(array);
    }

    /** @param counts only states with at least one batch, in state machine order */
    record TableStatus(TableConfig table, int total, Map<BatchStatus, Integer> counts,
                       Optional<Instant> latestWindow) {

        TableStatus {
            Map<BatchStatus, Integer> copy = new EnumMap<>(BatchStatus.class);
            copy.putAll(counts);
            counts = Collections.unmodifiableMap(copy);
        }

        static TableStatus of(TableConfig table, List<BatchManifest> manifests) {
            Map<BatchStatus, Integer> counts = new EnumMap<>(BatchStatus.class);
            Instant latest = null;
            for (BatchManifest m : manifests) {
                counts.merge(m.status(), 1, Integer::sum);
                if (latest == null || m.windowStart().isAfter(latest)) {
                    latest = m.windowStart();
                }
            }
            return new TableStatus(table, manifests.size(), counts, Optional.ofNullable(latest));
        }

        int count(BatchStatus status) {
            return counts.getOrDefault(status, 0);
        }
    }
}
