package io.pgfreezer.source;

/**
 * One column as PostgreSQL describes it.
 *
 * @param pgType      the type's name ({@code int4}, {@code numeric}, {@code _text} for arrays)
 * @param displayType {@code format_type()} text, e.g. {@code numeric(12,2)}, for messages
 * @param typmod      the type modifier (precision/scale of numeric), -1 when none
 * @param elementType for arrays, the element type's name; otherwise null
 * @param kind        pg_type.typtype: b base, e enum, d domain, c composite, r range
 */
public record SourceColumn(String name, String pgType, String displayType, int typmod, String elementType,
                           char kind, boolean notNull) {
}
