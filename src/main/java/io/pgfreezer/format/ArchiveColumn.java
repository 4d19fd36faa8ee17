package io.pgfreezer.format;

/** One top-level column of an archived Parquet file. */
public record ArchiveColumn(String name, boolean nullable, ColumnType type) {

    @Override
    public String toString() {
        return name + " " + type + (nullable ? "" : " NOT NULL");
    }
}
