package io.pgfreezer.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header, a rule of dashes as long as the header, then the rows. Columns
 * are two spaces apart and at least as wide as their minimum, widening to their longest cell,
 * so a long table name shifts the columns right instead of breaking their alignment. The last
 * column is not padded, so no line ends in spaces.
 */
final class TableRenderer {

    enum Align { LEFT, RIGHT }

    record Column(String header, Align align, int minWidth) {
        static Column left(String header, int minWidth) {
            return new Column(header, Align.LEFT, minWidth);
        }

        static Column right(String header, int minWidth) {
            return new Column(header, Align.RIGHT, minWidth);
        }
    }

    private static final String GAP = "  ";

    private final List<Column> columns;

    TableRenderer(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    /** The lines of the table; each row must have one cell per column. */
    List<String> render(List<List<String>> rows) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(columns.get(i).minWidth(), columns.get(i).header().length());
        }
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " cells, table has "
                        + columns.size() + " columns");
            }
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>(rows.size() + 2);
        String header = line(columns.stream().map(Column::header).toList(), widths);
        lines.add(header);
        lines.add("-".repeat(header.length()));
        for (List<String> row : rows) {
            lines.add(line(row, widths));
        }
        return lines;
    }

    private String line(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        int last = cells.size() - 1;
        for (int i = 0; i <= last; i++) {
            if (i > 0) {
                sb.append(GAP);
            }
            String cell = cells.get(i);
            String padding = " ".repeat(widths[i] - cell.length());
            if (columns.get(i).align() == Align.RIGHT) {
                sb.append(padding).append(cell);
            } else {
                sb.append(cell);
                if (i < last) {
                    sb.append(padding);
                }
            }
        }
        return sb.toString();
    }
}
