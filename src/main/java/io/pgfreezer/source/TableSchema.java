package io.pgfreezer.source;

import org.apache.arrow.vector.types.pojo.Schema;

import java.util.List;

/** The table's columns, their Arrow mapping, and where the timestamp column is. */
public record TableSchema(List<ColumnMapping> columns, int timeColumnIndex, TimeColumnType timeColumnType) {
    public TableSchema {
        columns = List.copyOf(columns);
    }

    public Schema arrowSchema() {
        return new Schema(columns.stream().map(ColumnMapping::field).toList());
    }
}
