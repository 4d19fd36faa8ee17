package io.pgfreezer.source;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The table archived rows are restored into, through one database session that holds the
 * archiving lock of that table for as long as it is open, so no run archives or deletes rows of
 * it meanwhile. Each window is restored in one transaction: {@link #begin}, one {@link #load} per
 * archived file, then {@link #commit} or {@link #rollback}.
 */
public interface RestoreTarget extends AutoCloseable {

    /** {@code schema.table}, as messages name it. */
    String qualifiedName();

    /** The table's columns in order; empty when the table does not exist. */
    Optional<List<Column>> columns();

    /** Creates the table with these columns ({@code name} and SQL type, e.g. {@code numeric(12,2)}). */
    void create(List<NewColumn> columns);

    /**
     * Rows whose timestamp lies in {@code [start, end)}, in the open transaction if there is one;
     * {@code filter} applies the configured table's {@code extra_filters}, which decided what was archived.
     */
    long rowsIn(Instant start, Instant end, boolean filter);

    /** What PostgreSQL knows of a transaction that restore recorded before it committed. */
    TransactionStatus statusOf(long txid);

    /** Starts the window's transaction; returns its id ({@code txid_current()}). */
    long begin();

    /**
     * Starts loading one archived file into the table, in the open transaction. Columns of the
     * target not named here take their default (or NULL).
     */
    Load load(List<LoadColumn> columns);

    void commit();

    /** Undoes the open transaction, if any; never throws. */
    void rollback();

    @Override
    void close();

    enum TransactionStatus { COMMITTED, ABORTED, IN_PROGRESS, UNKNOWN }

    /**
     * One target column as the catalog describes it.
     *
     * @param typeName    {@code pg_type.typname} of the column's type, of its base type for a domain
     * @param typeKind    {@code typtype} of that type (b base, e enum, r range, ...)
     * @param elementOid  for an array, its element type's oid; otherwise 0
     * @param elementName for an array, its element type's typname (of the base type for a domain)
     * @param elementKind for an array, the element type's typtype; otherwise 0
     * @param sqlType     {@code format_type()}: how SQL spells the type, e.g. {@code numeric(12,2)}
     */
    record Column(String name, String typeName, char typeKind, long elementOid, String elementName, char elementKind,
                  String sqlType, boolean notNull) {
    }

    record NewColumn(String name, String sqlType) {
    }

    /**
     * One column of the binary COPY stream and the target column it fills.
     *
     * @param target    the target column's name
     * @param stageType null when the stream's binary form is the target column's own; otherwise the
     *                  built-in type the stream carries (e.g. {@code text}), which PostgreSQL then casts
     * @param castTo    the target column's SQL type, the cast of a staged value
     */
    record LoadColumn(String target, String stageType, String castTo) {
        public boolean staged() {
            return stageType != null;
        }
    }

    /** One file's binary COPY stream: header, tuples and trailer are the caller's to write. */
    interface Load {
        void write(byte[] bytes, int off, int length);

        /** Ends the stream and, for a staged load, moves the rows on; returns the rows the table received. */
        long finish();
    }
}
