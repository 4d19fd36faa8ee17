package io.pgfreezer.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.RecordMaterializer;

/** Assembles each Parquet record into an {@code Object[]} of Java values, one slot per column. */
final class RowMaterializer extends RecordMaterializer<Object[]> {

    private final Row root;

    RowMaterializer(List<ColumnLayout> layouts) {
        this.root = new Row(layouts);
    }

    @Override
    public Object[] getCurrentRecord() {
        return root.values;
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }

    private static final class Row extends GroupConverter {
        private final int width;
        private final Converter[] columns;
        private Object[] values;

        Row(List<ColumnLayout> layouts) {
            this.width = layouts.size();
            this.columns = new Converter[width];
            for (int i = 0; i < width; i++) {
                int slot = i;
                ColumnLayout layout = layouts.get(i);
                ValueKind kind = layout.column.type().kind();
                columns[i] = layout.nesting == ColumnLayout.Nesting.NONE
                        ? ValueConverters.of(layout.leaf, kind, value -> values[slot] = value)
                        : new ListColumn(layout, list -> values[slot] = list);
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return columns[fieldIndex];
        }

        @Override
        public void start() {
            // A fresh array per row: callers may keep rows, and absent fields must read as null.
            values = new Object[width];
        }

        @Override
        public void end() {
        }
    }

    /** The outer LIST group; its end hands the finished list to the row. */
    private static final class ListColumn extends GroupConverter {
        private final java.util.function.Consumer<List<Object>> out;
        private final Converter repeated;
        private List<Object> elements;
        private Object element;

        ListColumn(ColumnLayout layout, java.util.function.Consumer<List<Object>> out) {
            this.out = out;
            ValueKind kind = layout.column.type().kind();
            if (layout.nesting == ColumnLayout.Nesting.TWO_LEVEL) {
                this.repeated = ValueConverters.of(layout.leaf, kind, value -> elements.add(value));
            } else {
                Converter leaf = ValueConverters.of(layout.leaf, kind, value -> element = value);
                this.repeated = new GroupConverter() {
                    @Override
                    public Converter getConverter(int fieldIndex) {
                        return leaf;
                    }

                    @Override
                    public void start() {
                        element = null;
                    }

                    @Override
                    public void end() {
                        elements.add(element);
                    }
                };
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return repeated;
        }

        @Override
        public void start() {
            elements = new ArrayList<>();
        }

        @Override
        public void end() {
            out.accept(Collections.unmodifiableList(elements));
        }
    }
}
