package io.pgfreezer.fetch;

import io.pgfreezer.format.ArchiveColumn;
import io.pgfreezer.format.ColumnType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of every file of a fetch, as one output schema: the union by name, in first-seen
 * order (the earliest file's columns first), so a column added to the table later reads as null
 * in older partitions.
 *
 * <p>Two files may store one column differently only when the values print the same: any
 * integer widths ({@code int4} altered to {@code int8}), either float width, or the same value kind
 * otherwise (decimals of any precision, say). Anything else, {@code int} against {@code text} or
 * {@code text} against {@code jsonb}, is a conflict: one output column cannot honestly hold both.
 */
final class ColumnUnion {

    private final Map<String, Seen> columns = new LinkedHashMap<>();

    private record Seen(ArchiveColumn column, String file) {
    }

    /**
     * Adds a file's columns.
     *
     * @throws FetchException naming the column, both files and both types on a conflict
     */
    void add(String file, List<ArchiveColumn> fileColumns) {
        for (ArchiveColumn column : fileColumns) {
            Seen first = columns.putIfAbsent(column.name(), new Seen(column, file));
            if (first != null && !compatible(first.column.type(), column.type())) {
                throw new FetchException("column \"" + column.name() + "\" is " + first.column.type() + " in " + first.file
                        + " but " + column.type() + " in " + file + "; one output column cannot hold both "
                        + "(replay the older windows to rewrite them with the table's current type, or fetch the "
                        + "two ranges separately)");
            }
        }
    }

    List<String> names() {
        return List.copyOf(columns.keySet());
    }

    boolean isEmpty() {
        return columns.isEmpty();
    }

    /**
     * For each output column, the position of that column in {@code fileColumns}, or -1 when the
     * file lacks it.
     *
     * @throws FetchException when the file has a column the union does not know, which means it
     *                        changed since its footer was read
     */
    int[] positions(String file, List<ArchiveColumn> fileColumns) {
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (int i = 0; i < fileColumns.size(); i++) {
            ArchiveColumn column = fileColumns.get(i);
            Seen known = columns.get(column.name());
            if (known == null || !compatible(known.column.type(), column.type())) {
                throw new FetchException(file + " changed while it was being fetched (its columns differ from "
                        + "the footer read at the start); run the fetch again");
            }
            byName.put(column.name(), i);
        }
        List<String> names = names();
        int[] positions = new int[names.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = byName.getOrDefault(names.get(i), -1);
        }
        return positions;
    }

    static boolean compatible(ColumnType a, ColumnType b) {
        return a.list() == b.list() && family(a).equals(family(b));
    }

    private static String family(ColumnType type) {
        return switch (type.kind()) {
            case SHORT, INT, LONG -> "integer";
            case FLOAT, DOUBLE -> "float";
            default -> type.kind().name();
        };
    }
}
