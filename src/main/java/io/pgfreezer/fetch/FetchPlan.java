package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.engine.Window;
import io.pgfreezer.storage.ObjectInfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which files a fetch reads, decided from the listing of the table's prefix alone: every
 * {@code .parquet} object in a Hive partition whose interval meets {@code [from, to)}, grouped by
 * partition in time order. Listing rather than manifests finds every file a partition holds:
 * late-row files, and files another tool wrote. Names starting with {@code _} or {@code .} are
 * skipped, as query engines skip them.
 *
 * @param partitions the partitions to read, in time order
 * @param missing    windows of the configured granularity in the range that no partition
 *                   covers, in time order; empty when the range has more than
 *                   {@link #MAX_EXPECTED_WINDOWS} windows
 * @param strays     {@code .parquet} keys under the table that are not in a time partition
 * @param windowsChecked whether {@code missing} was worked out
 */
record FetchPlan(List<PartitionFiles> partitions, List<Window> missing, List<String> strays, boolean windowsChecked) {

    /** Beyond this many expected windows the range is not checked for missing ones. */
    static final int MAX_EXPECTED_WINDOWS = 100_000;

    static FetchPlan of(List<ObjectInfo> listing, String table, Granularity granularity, Instant from, Instant to) {
        String prefix = table + "/";
        Map<String, List<ArchivedFile>> byPartition = new LinkedHashMap<>();
        Map<String, HivePartition> partitions = new LinkedHashMap<>();
        List<String> strays = new ArrayList<>();
        for (ObjectInfo object : listing) {
            String key = object.key();
            if (!key.startsWith(prefix) || !key.endsWith(".parquet")) {
                continue;
            }
            String relative = key.substring(prefix.length());
            int slash = relative.lastIndexOf('/');
            String name = relative.substring(slash + 1);
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            HivePartition partition = slash < 0 ? null : HivePartition.parse(relative.substring(0, slash)).orElse(null);
            if (partition == null) {
                strays.add(key);
                continue;
            }
            if (!partition.intersects(from, to)) {
                continue;
            }
            // month=1 and month=01 name the same interval: one partition, read and merged as one.
            String identity = partition.start() + "/" + partition.end();
            partitions.putIfAbsent(identity, partition);
            byPartition.computeIfAbsent(identity, k -> new ArrayList<>()).add(new ArchivedFile(key, object.size()));
        }
        List<PartitionFiles> selected = partitions.entrySet().stream()
                .map(e -> new PartitionFiles(e.getValue(), byPartition.get(e.getKey())))
                .sorted((a, b) -> HivePartition.TIME_ORDER.compare(a.partition(), b.partition()))
                .toList();
        List<Window> missing = new ArrayList<>();
        boolean checked = missingWindows(selected, granularity, from, to, missing);
        return new FetchPlan(selected, List.copyOf(missing), List.copyOf(strays), checked);
    }

    private static boolean missingWindows(List<PartitionFiles> selected, Granularity granularity, Instant from,
                                          Instant to, List<Window> missing) {
        int partition = 0;
        int windows = 0;
        for (Window w = Window.containing(from, granularity); w.start().isBefore(to); w = w.next()) {
            if (++windows > MAX_EXPECTED_WINDOWS) {
                missing.clear();
                return false;
            }
            // Partitions are in time order: skip those that end before this window starts.
            while (partition < selected.size() && !selected.get(partition).partition().end().isAfter(w.start())) {
                partition++;
            }
            boolean covered = false;
            for (int i = partition; i < selected.size() && selected.get(i).partition().start().isBefore(w.end()); i++) {
                if (selected.get(i).partition().end().isAfter(w.start())) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                missing.add(w);
            }
        }
        return true;
    }

    int fileCount() {
        return partitions.stream().mapToInt(p -> p.files().size()).sum();
    }
}
