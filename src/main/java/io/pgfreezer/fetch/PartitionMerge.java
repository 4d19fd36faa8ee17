package io.pgfreezer.fetch;

import io.pgfreezer.format.ParquetArchiveReader;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The rows of one partition in timestamp order: a k-way merge of its files, each of which the
 * exporter wrote in timestamp order. Only rows whose timestamp lies in {@code [from, to)} come out
 * (a NULL timestamp never does), projected onto the output columns. Each open file holds one row
 * group in memory, so a partition of k files takes k row groups, whatever its size. Ties go to
 * the file that comes first ({@code data.parquet} before late-row files).
 *
 * <p>Should a file not be in timestamp order after all (a file another tool wrote), its rows
 * still all come out, and a note says the partition's output may be out of order.
 */
final class PartitionMerge {

    /** One file being read: its reader, where its timestamp is, and where its columns go. */
    record Source(String name, ParquetArchiveReader reader, int timestampColumn, int[] positions) {
    }

    private static final Comparator<Cursor> ORDER =
            Comparator.comparing((Cursor c) -> c.timestamp).thenComparingInt(c -> c.order);

    private final PriorityQueue<Cursor> queue = new PriorityQueue<>(ORDER);

    PartitionMerge(List<Source> sources, Instant from, Instant to, Consumer<String> notes) {
        for (int i = 0; i < sources.size(); i++) {
            Cursor cursor = new Cursor(sources.get(i), i, from, to, notes);
            if (cursor.advance()) {
                queue.add(cursor);
            }
        }
    }

    /** The next row in output column order, or null after the last. */
    Object[] next() {
        Cursor cursor = queue.poll();
        if (cursor == null) {
            return null;
        }
        Object[] row = cursor.row;
        if (cursor.advance()) {
            queue.add(cursor);
        }
        return row;
    }

    /** The instant a timestamp column value stands for: {@code timestamp} and {@code date} read as UTC. */
    static Instant instantOf(Object value) {
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof LocalDateTime dateTime) {
            return dateTime.toInstant(ZoneOffset.UTC);
        }
        if (value instanceof LocalDate date) {
            return date.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        return null;
    }

    private static final class Cursor {
        private final Source source;
        private final int order;
        private final Instant from;
        private final Instant to;
        private final Consumer<String> notes;
        private Instant previous;
        private boolean disorderNoted;
        Instant timestamp;
        Object[] row;

        Cursor(Source source, int order, Instant from, Instant to, Consumer<String> notes) {
            this.source = source;
            this.order = order;
            this.from = from;
            this.to = to;
            this.notes = notes;
        }

        boolean advance() {
            ParquetArchiveReader reader = source.reader();
            while (reader.next()) {
                Instant t = instantOf(reader.get(source.timestampColumn()));
                if (t == null) {
                    continue;
                }
                if (previous != null && t.isBefore(previous) && !disorderNoted) {
                    disorderNoted = true;
                    notes.accept(source.name() + " is not in timestamp order; rows of its partition may come out "
                            + "of order");
                }
                previous = t;
                if (t.isBefore(from) || !t.isBefore(to)) {
                    continue;
                }
                timestamp = t;
                row = project(reader, source.positions());
                return true;
            }
            return false;
        }

        private static Object[] project(ParquetArchiveReader reader, int[] positions) {
            Object[] values = new Object[positions.length];
            for (int i = 0; i < positions.length; i++) {
                if (positions[i] >= 0) {
                    values[i] = reader.get(positions[i]);
                }
            }
            return values;
        }
    }
}
