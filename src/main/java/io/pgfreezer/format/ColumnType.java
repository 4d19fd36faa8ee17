package io.pgfreezer.format;

import java.util.Optional;

/**
 * How one column is stored and what it reads back as.
 *
 * @param kind         Java type of a value (of an element, when {@code list})
 * @param list         whether values are lists (PostgreSQL arrays)
 * @param physicalType Parquet physical type of the values, e.g. {@code INT64},
 *                     {@code FIXED_LEN_BYTE_ARRAY(16)}
 * @param logicalType  Parquet logical type of the values, e.g. {@code TIMESTAMP(MICROS,true)};
 *                     empty when there is none
 * @param pgType       PostgreSQL type name recorded by the writer; empty for files without it
 */
public record ColumnType(ValueKind kind, boolean list, String physicalType, String logicalType,
                         Optional<String> pgType) {

    @Override
    public String toString() {
        String value = physicalType + (logicalType.isEmpty() ? "" : " " + logicalType);
        return (list ? "LIST<" + value + ">" : value) + pgType.map(t -> " [" + t + "]").orElse("");
    }
}
