package io.pgfreezer.source;

import io.pgfreezer.config.TableConfig;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link RestoreTarget} over one pooled connection that holds the target table's advisory lock. */
final class PostgresRestoreTarget implements RestoreTarget {
    private static final Logger log = LoggerFactory.getLogger(PostgresRestoreTarget.class);
    private static final String STAGE = "pg_freezer_restore_stage";

    private final Connection conn;
    private final long lockKey;
    private final String schemaName;
    private final String tableName;
    private final String relation;
    private final String timeColumn;
    private final String timeColumnName;
    private final String filter;
    private boolean inTransaction;
    /** The COPY under way, if any: a rollback must end it first, or the connection waits on it for ever. */
    private CopyIn activeCopy;

    /** @param source the configured table the archive is of; its filter applies only when restoring into it */
    PostgresRestoreTarget(Connection conn, long lockKey, TableConfig source, String schema, String table) {
        this.conn = conn;
        this.lockKey = lockKey;
        this.schemaName = schema;
        this.tableName = table;
        this.relation = Identifiers.qualified(schema, table);
        this.timeColumnName = source.timestampColumn();
        this.timeColumn = Identifiers.quote(source.timestampColumn());
        this.filter = source.extraFilters().map(f -> " AND (" + f + ")").orElse("");
    }

    @Override
    public String qualifiedName() {
        return schemaName + "." + tableName;
    }

    @Override
    public Optional<List<Column>> columns() {
        String sql = """
                SELECT a.attname,
                       CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END,
                       CASE WHEN t.typtype = 'd' THEN bt.typtype ELSE t.typtype END,
                       coalesce(et.oid, 0),
                       CASE WHEN et.typtype = 'd' THEN ebt.typname ELSE et.typname END,
                       CASE WHEN et.typtype = 'd' THEN ebt.typtype ELSE et.typtype END,
                       format_type(a.atttypid, a.atttypmod),
                       a.attnotnull
                  FROM pg_attribute a
                  JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_type t ON t.oid = a.atttypid
                  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
                  LEFT JOIN pg_type et ON et.oid = (CASE WHEN t.typtype = 'd' THEN bt.typelem ELSE t.typelem END)
                                      AND (CASE WHEN t.typtype = 'd' THEN bt.typcategory ELSE t.typcategory END) = 'A'
                  LEFT JOIN pg_type ebt ON ebt.oid = et.typbasetype
                 WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')
                   AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum
                """;
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, schemaName);
            ps.setString(2, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String elementKind = rs.getString(6);
                    columns.add(new Column(rs.getString(1), rs.getString(2), rs.getString(3).charAt(0), rs.getLong(4),
                            rs.getString(5), elementKind == null ? (char) 0 : elementKind.charAt(0), rs.getString(7),
                            rs.getBoolean(8)));
                }
            }
        } catch (SQLException e) {
            throw fail("reading the columns", e);
        }
        return columns.isEmpty() ? Optional.empty() : Optional.of(columns);
    }

    @Override
    public void create(List<NewColumn> columns) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(relation).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            ddl.append(i == 0 ? "" : ", ").append(Identifiers.quote(columns.get(i).name())).append(' ')
                    .append(columns.get(i).sqlType());
        }
        try (Statement st = conn.createStatement()) {
            st.execute(ddl.append(")").toString());
        } catch (SQLException e) {
            throw fail("creating the table", e);
        }
    }

    @Override
    public long rowsIn(Instant start, Instant end, boolean applyFilter) {
        String sql = "SELECT count(*) FROM " + relation + " WHERE " + timeColumn + " >= ? AND " + timeColumn + " < ?"
                + (applyFilter ? filter : "");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            String type = timeColumnType();
            bind(ps, 1, start, type);
            bind(ps, 2, end, type);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw fail("counting the rows", e);
        }
    }

    private String timeColumnType() {
        return columns().orElseThrow(() -> new SourceException("table " + qualifiedName() + " does not exist"))
                .stream().filter(c -> c.name().equals(timeColumnName)).findFirst()
                .map(Column::typeName)
                .orElseThrow(() -> new SourceException("table " + qualifiedName() + " has no column \"" + timeColumnName
                        + "\" (the timestamp_column of the archived table)"));
    }

    private static void bind(PreparedStatement ps, int index, Instant t, String type) throws SQLException {
        switch (type) {
            case "timestamp" -> ps.setObject(index, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            case "date" -> ps.setObject(index, LocalDate.ofInstant(t, ZoneOffset.UTC));
            default -> ps.setObject(index, t.atOffset(ZoneOffset.UTC));
        }
    }

    @Override
    public TransactionStatus statusOf(long txid) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT txid_status(?)")) {
            ps.setLong(1, txid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String status = rs.getString(1);
                if (status == null) {
                    // Too old: the server no longer keeps its commit status.
                    return TransactionStatus.UNKNOWN;
                }
                return switch (status) {
                    case "committed" -> TransactionStatus.COMMITTED;
                    case "aborted" -> TransactionStatus.ABORTED;
                    default -> TransactionStatus.IN_PROGRESS;
                };
            }
        } catch (SQLException e) {
            if ("22023".equals(e.getSQLState())) {
                // "transaction ID is in the future": the id is from another database cluster.
                return TransactionStatus.UNKNOWN;
            }
            throw fail("asking for the status of transaction " + txid, e);
        }
    }

    @Override
    public long begin() {
        try {
            conn.setAutoCommit(false);
            inTransaction = true;
            try (Statement st = conn.createStatement()) {
                // Text-archived values are parsed back under the settings they were rendered in.
                st.execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; "
                        + "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; "
                        + "SET LOCAL lc_monetary = 'C'; SET LOCAL lc_numeric = 'C'; SET LOCAL bytea_output = 'hex'; "
                        + "SET LOCAL statement_timeout = 0");
                try (ResultSet rs = st.executeQuery("SELECT txid_current()")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            rollback();
            throw fail("starting the restore transaction", e);
        }
    }

    @Override
    public Load load(List<LoadColumn> columns) {
        boolean staged = columns.stream().anyMatch(LoadColumn::staged);
        StringBuilder targetList = new StringBuilder();
        for (LoadColumn c : columns) {
            targetList.append(targetList.length() == 0 ? "" : ", ").append(Identifiers.quote(c.target()));
        }
        try {
            if (!staged) {
                return new CopyLoad(copyIn("COPY " + relation + " (" + targetList + ") FROM STDIN (FORMAT binary)"), null);
            }
            // The binary form of a text-archived value is its text, which the target type's own
            // binary input does not take: such columns land as text in a temporary table (no WAL)
            // and PostgreSQL's input function casts them on the way into the target.
            StringBuilder stage = new StringBuilder("CREATE TEMP TABLE " + STAGE + " (");
            StringBuilder select = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                LoadColumn c = columns.get(i);
                stage.append(i == 0 ? "" : ", ").append("c").append(i).append(' ')
                        .append(c.staged() ? c.stageType() : c.castTo());
                select.append(i == 0 ? "" : ", ").append("c").append(i);
                if (c.staged()) {
                    select.append("::").append(c.castTo());
                }
            }
            try (Statement st = conn.createStatement()) {
                st.execute(stage.append(") ON COMMIT DROP").toString());
            }
            String insert = "INSERT INTO " + relation + " (" + targetList + ") SELECT " + select + " FROM " + STAGE;
            return new CopyLoad(copyIn("COPY " + STAGE + " FROM STDIN (FORMAT binary)"), insert);
        } catch (SQLException e) {
            throw fail("starting the COPY", e);
        }
    }

    private CopyIn copyIn(String sql) throws SQLException {
        activeCopy = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        return activeCopy;
    }

    private final class CopyLoad implements Load {
        private final CopyIn copy;
        private final String insert;

        CopyLoad(CopyIn copy, String insert) {
            this.copy = copy;
            this.insert = insert;
        }

        @Override
        public void write(byte[] bytes, int off, int length) {
            try {
                copy.writeToCopy(bytes, off, length);
            } catch (SQLException e) {
                throw fail("COPY", e);
            }
        }

        @Override
        public long finish() {
            try {
                long copied = copy.endCopy();
                if (insert == null) {
                    return copied;
                }
                try (Statement st = conn.createStatement()) {
                    long inserted = st.executeLargeUpdate(insert);
                    st.execute("DROP TABLE " + STAGE);
                    return inserted;
                }
            } catch (SQLException e) {
                throw fail("COPY", e);
            }
        }
    }

    @Override
    public void commit() {
        try {
            conn.commit();
            inTransaction = false;
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            rollback();
            throw fail("committing the restore", e);
        }
    }

    @Override
    public void rollback() {
        if (!inTransaction) {
            return;
        }
        inTransaction = false;
        CopyIn copy = activeCopy;
        activeCopy = null;
        if (copy != null && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException e) {
                log.debug("cancelling the COPY of the restore failed; the rollback ends it", e);
            }
        }
        try {
            conn.rollback();
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("rollback of the restore transaction failed; the server ends it with the session", e);
        }
    }

    private SourceException fail(String what, SQLException e) {
        return new SourceException(what + " of " + qualifiedName() + " failed: " + SqlErrors.describe(e),
                e.getSQLState(), e);
    }

    @Override
    public void close() {
        rollback();
        try (conn; PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, lockKey);
            ps.execute();
        } catch (SQLException e) {
            log.warn("could not release the lock of {} cleanly: {}", qualifiedName(), e.getMessage());
        }
    }
}
