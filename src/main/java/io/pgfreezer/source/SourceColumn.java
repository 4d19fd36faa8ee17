package io.pgfreezer.source;

/**
 * One column as PostgreSQL describes it.
 *
 * @param pgType      the type's name ({@code int4}, {@code numeric}, {@code _text} for arrays)
 * @param displayType {@code format_type()} text, e.g. {@code numeric(12,2)}, for messages
 * @param typmod      the type modifier (precision/scale of numeric), -1 when none
 * @param elementType for arrays, the element type's name; otherwise null
 * @param kind        pg_type.typtype: b base, e enum, d domain, c composite, r range
 * @param elementOid  for arrays, the element type's oid (what the binary array form carries); else 0
 * @param elementKind for arrays, the element type's pg_type.typtype; else 0
 */
public record SourceColumn(String name, String pgType, String displayType, int typmod, String elementType,
                           char kind, boolean notNull, long elementOid, char elementKind) {

    public SourceColumn(String name, String pgType, String displayType, int typmod, String elementType, char kind,
                        boolean notNull) {
        this(name, pgType, displayType, typmod, elementType, kind, notNull, 0, (char) 0);
    }
}
