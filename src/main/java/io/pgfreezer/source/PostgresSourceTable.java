package io.pgfreezer.source;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.DeleteChunk;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import io.pgfreezer.format.PgWire;
import io.pgfreezer.format.ValueDigest;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;

/** {@link SourceTable} over one pooled PostgreSQL connection that holds the table's advisory lock. */
final class PostgresSourceTable implements SourceTable {
    private static final Logger log = LoggerFactory.getLogger(PostgresSourceTable.class);

    /** Rows per round trip; bounds the driver's buffer whatever the window's size. */
    static final int FETCH_SIZE = 2_000;
    /** An Arrow batch ends at this many rows or bytes, whichever comes first. */
    static final int BATCH_ROWS = 4_096;
    static final long BATCH_BYTES = 8L << 20;
    /** Hard cap on Arrow memory per export: a batch that would exceed it fails instead of growing. */
    static final long EXPORT_MEMORY_LIMIT = 512L << 20;
    /** Batches the decoder may fill ahead of the writer (see {@link BatchHandoff}). */
    static final int EXPORT_RING = 4;

    private final Connection conn;
    private final TableConfig table;
    private final long lockKey;
    private final TableSchema schema;
    private final String relation;
    private final String timeColumn;
    private final String filter;

    PostgresSourceTable(Connection conn, TableConfig table, long lockKey) throws SQLException {
        this.conn = conn;
        this.table = table;
        this.lockKey = lockKey;
        this.relation = Identifiers.qualified(table.schema(), table.name());
        this.timeColumn = Identifiers.quote(table.timestampColumn());
        this.filter = table.extraFilters().map(f -> " AND (" + f + ")").orElse("");
        this.schema = describe();
        checkFilter();
    }

    /**
     * Parses and plans {@code extra_filters} against the table before any window is touched,
     * so a typo or an unknown column is reported as the filter's, not as a failed export.
     * {@code LIMIT 0} reads no row, so only errors of the text itself surface here.
     */
    private void checkFilter() {
        if (table.extraFilters().isEmpty()) {
            return;
        }
        try (Statement st = conn.createStatement()) {
            st.executeQuery("SELECT 1 FROM " + relation + " WHERE true" + filter + " LIMIT 0").close();
        } catch (SQLException e) {
            throw new SourceException("extra_filters of " + table.qualifiedName() + " is not valid for the table: "
                    + SqlErrors.describe(e), e.getSQLState(), e);
        }
    }

    private TableSchema describe() throws SQLException {
        String sql = """
                SELECT a.attname,
                       CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END,
                       format_type(a.atttypid, a.atttypmod),
                       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
                       et.typname,
                       CASE WHEN t.typtype = 'd' THEN bt.typtype ELSE t.typtype END,
                       a.attnotnull,
                       et.oid,
                       et.typtype
                  FROM pg_attribute a
                  JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_type t ON t.oid = a.atttypid
                  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
                  LEFT JOIN pg_type et ON et.oid = (CASE WHEN t.typtype = 'd' THEN bt.typelem ELSE t.typelem END)
                                      AND (CASE WHEN t.typtype = 'd' THEN bt.typcategory ELSE t.typcategory END) = 'A'
                 WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')
                   AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum
                """;
        List<ColumnMapping> columns = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String elementKind = rs.getString(9);
                    SourceColumn c = new SourceColumn(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6).charAt(0), rs.getBoolean(7), rs.getLong(8),
                            elementKind == null ? (char) 0 : elementKind.charAt(0));
                    ColumnMapping m = ColumnMapping.of(c);
                    if (m.fallbackReason() != null) {
                        log.warn("column {} of {} is stored as text: {}", c.name(), table.qualifiedName(), m.fallbackReason());
                    }
                    columns.add(m);
                }
            }
        }
        if (columns.isEmpty()) {
            throw new SourceException("table " + table.qualifiedName() + " does not exist (or has no columns)");
        }
        int timeIndex = -1;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).column().name().equals(table.timestampColumn())) {
                timeIndex = i;
            }
        }
        if (timeIndex < 0) {
            throw new SourceException("table " + table.qualifiedName() + " has no column \"" + table.timestampColumn()
                    + "\" (timestamp_column)");
        }
        SourceColumn tc = columns.get(timeIndex).column();
        TimeColumnType type = tc.elementType() == null ? TimeColumnType.of(tc.pgType()) : null;
        if (type == null) {
            throw new SourceException("timestamp_column \"" + tc.name() + "\" of " + table.qualifiedName() + " is "
                    + tc.displayType() + "; it must be timestamptz, timestamp or date");
        }
        if (type == TimeColumnType.DATE && table.partitionBy() == Granularity.HOURLY) {
            throw new SourceException("timestamp_column \"" + tc.name() + "\" of " + table.qualifiedName()
                    + " is a date, which cannot be cut into hourly windows; use partition_by daily or monthly");
        }
        return new TableSchema(columns, timeIndex, type);
    }

    @Override
    public TableSchema schema() {
        return schema;
    }

    private String range() {
        return " WHERE " + timeColumn + " >= ? AND " + timeColumn + " < ?" + filter;
    }

    @Override
    public Optional<Instant> firstTimestamp(Instant from, Instant before) {
        String sql = "SELECT min(" + timeColumn + ") FROM " + relation + " WHERE "
                + (from == null ? "" : timeColumn + " >= ? AND ") + timeColumn + " < ?" + filter;
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            int i = 1;
            if (from != null) {
                bind(ps, i++, from);
            }
            bind(ps, i, before);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(readTime(rs, 1));
            }
        } catch (SQLException e) {
            throw fail("finding the oldest row", e);
        }
    }

    @Override
    public WindowStats stats(Instant start, Instant end) {
        String sql = "SELECT count(*), coalesce(sum(pg_column_size(pgf_row.*)), 0) FROM " + relation + " pgf_row"
                + range();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, 1, start);
            bind(ps, 2, end);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new WindowStats(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw fail("counting rows", e);
        }
    }

    /**
     * Reads the window with one {@code COPY (SELECT ...) TO STDOUT (FORMAT binary)} in a
     * repeatable-read snapshot and decodes each field's binary form straight into the batch's
     * vectors. The digest of the bytes PostgreSQL sent is the value proof verification checks.
     */
    @Override
    public ExportResult export(Instant start, Instant end, int chunkRows, BatchSink sink) {
        StringBuilder cols = new StringBuilder();
        for (ColumnMapping m : schema.columns()) {
            cols.append(cols.length() == 0 ? "" : ", ").append(m.selectExpression());
        }
        // COPY takes no parameters: the bounds are literals of the column's own type, so an
        // index on it still serves the range.
        String sql = "COPY (SELECT " + cols + " FROM " + relation + " WHERE " + timeColumn + " >= " + literal(start)
                + " AND " + timeColumn + " < " + literal(end) + filter + " ORDER BY " + timeColumn
                + ") TO STDOUT (FORMAT binary)";
        List<DeleteChunk> chunks = new ArrayList<>();
        long total = 0;
        ValueDigest digest = new ValueDigest();
        try (BufferAllocator allocator = new RootAllocator(EXPORT_MEMORY_LIMIT);
             BatchRing ring = new BatchRing(schema.arrowSchema(), allocator, EXPORT_RING);
             BatchHandoff handoff = new BatchHandoff(sink, table.qualifiedName(), EXPORT_RING)) {
            beginSnapshot(true);
            pinSessionForExport();
            // A ring of batches: the sink encodes some while the next is filled from the COPY stream.
            VectorSchemaRoot[] roots = ring.roots;
            List<ColumnMapping> mappings = schema.columns();
            int width = mappings.size();
            WireDecoder[][] decoderSets = new WireDecoder[roots.length][width];
            for (int r = 0; r < roots.length; r++) {
                List<FieldVector> vectors = roots[r].getFieldVectors();
                for (int c = 0; c < width; c++) {
                    decoderSets[r][c] = WireDecoder.of(mappings.get(c), vectors.get(c));
                }
            }
            int filling = 0;
            VectorSchemaRoot root = roots[filling];
            WireDecoder[] decoders = decoderSets[filling];
            int timeIndex = schema.timeColumnIndex();
            CopyOut copy = conn.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
            CopyBinaryReader in = new CopyBinaryReader(copy, digest);
            try {
                in.readHeader();
                root.allocateNew();
                int row = 0;
                long bytes = 0;
                Instant chunkStart = start;
                long previous = Long.MIN_VALUE;
                long inChunk = 0;
                while (true) {
                    in.fill(2);
                    int fields = WireDecoder.int16(in.buf, in.pos);
                    in.pos += 2;
                    if (fields == -1) {
                        in.expectEnd();
                        break;
                    }
                    if (fields != width) {
                        throw new IllegalStateException("COPY sent a tuple of " + fields + " fields for " + width + " columns");
                    }
                    long ts = 0;
                    WireDecoder.Unrepresentable problem = null;
                    int problemColumn = -1;
                    for (int c = 0; c < width; c++) {
                        in.fill(4);
                        int len = WireDecoder.int32(in.buf, in.pos);
                        in.pos += 4;
                        if (len < 0) {
                            decoders[c].setNull(row);
                            continue;
                        }
                        in.fill(len);
                        if (c == timeIndex) {
                            ts = len == 8 ? WireDecoder.int64(in.buf, in.pos) : WireDecoder.int32(in.buf, in.pos);
                        }
                        if (problem == null) {
                            try {
                                decoders[c].decode(in.buf, in.pos, len, row);
                            } catch (WireDecoder.Unrepresentable e) {
                                // Finish the tuple first: the message names the row by its timestamp.
                                problem = e;
                                problemColumn = c;
                            }
                        }
                        in.pos += len;
                        bytes += len + 4;
                    }
                    if (problem != null) {
                        throw unrepresentable(mappings.get(problemColumn).column(), ts, problem);
                    }
                    // A chunk only ends between two distinct timestamps, so a range delete of
                    // [from, to) removes exactly the rows this chunk counted.
                    if (inChunk >= chunkRows && ts > previous) {
                        Instant boundary = instant(ts);
                        chunks.add(new DeleteChunk(chunkStart, boundary, inChunk));
                        chunkStart = boundary;
                        inChunk = 0;
                    }
                    row++;
                    inChunk++;
                    total++;
                    previous = ts;
                    if (row >= BATCH_ROWS || bytes >= BATCH_BYTES) {
                        root.setRowCount(row);
                        handoff.submit(filling, root);
                        filling = (filling + 1) % roots.length;
                        // The next batch is refilled only once the sink is done with it.
                        handoff.reuse(filling);
                        root = roots[filling];
                        decoders = decoderSets[filling];
                        root.allocateNew();
                        row = 0;
                        bytes = 0;
                    }
                }
                if (row > 0) {
                    root.setRowCount(row);
                    handoff.submit(filling, root);
                }
                // Every batch is in the file before the snapshot ends and the result is reported.
                handoff.drain();
                if (total > 0) {
                    chunks.add(new DeleteChunk(chunkStart, end, inChunk));
                }
            } catch (SQLException | RuntimeException e) {
                in.discardRest(e);
                throw e;
            }
            conn.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw fail("exporting " + start + " to " + end, e);
        } catch (RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        } finally {
            autoCommit();
        }
        return new ExportResult(total, chunks, digest.streamDigest());
    }

    /** The export's batches, released together. */
    private static final class BatchRing implements AutoCloseable {
        final VectorSchemaRoot[] roots;

        BatchRing(org.apache.arrow.vector.types.pojo.Schema schema, BufferAllocator allocator, int size) {
            roots = new VectorSchemaRoot[size];
            try {
                for (int i = 0; i < size; i++) {
                    roots[i] = VectorSchemaRoot.create(schema, allocator);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (VectorSchemaRoot root : roots) {
                if (root != null) {
                    root.close();
                }
            }
        }
    }

    /**
     * Text forms PostgreSQL renders for the archive (intervals, money, composites, ...) and the
     * window literals must not depend on the role's or database's settings. Each lasts only for
     * the export's transaction. The COPY is one statement for the whole window, so the
     * per-statement timeout meant for single queries would cut off any large window.
     */
    private void pinSessionForExport() throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; "
                    + "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; "
                    + "SET LOCAL lc_monetary = 'C'; SET LOCAL lc_numeric = 'C'; SET LOCAL bytea_output = 'hex'; "
                    + "SET LOCAL statement_timeout = 0");
        }
    }

    private String literal(Instant t) {
        String text = switch (schema.timeColumnType()) {
            case TIMESTAMPTZ -> t.toString() + "'::timestamptz";
            case TIMESTAMP -> LocalDateTime.ofInstant(t, ZoneOffset.UTC) + "'::timestamp";
            case DATE -> LocalDate.ofInstant(t, ZoneOffset.UTC) + "'::date";
        };
        // ISO text never holds a quote; were it to, doubling it keeps it a value.
        int cast = text.indexOf("'::");
        return "'" + text.substring(0, cast).replace("'", "''") + text.substring(cast);
    }

    /** The timestamp column's raw binary value as the instant the window arithmetic uses. */
    private Instant instant(long raw) {
        if (schema.timeColumnType() == TimeColumnType.DATE) {
            return Instant.ofEpochSecond((raw + PgWire.PG_EPOCH_DAYS) * 86_400L);
        }
        long unix = raw + PgWire.PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(unix, 1_000_000L), Math.floorMod(unix, 1_000_000L) * 1_000L);
    }

    private UnconvertibleValueException unrepresentable(SourceColumn column, long ts, WireDecoder.Unrepresentable problem) {
        String at = schema.timeColumnType() == TimeColumnType.TIMESTAMPTZ ? instant(ts).toString()
                : schema.timeColumnType() == TimeColumnType.TIMESTAMP
                ? LocalDateTime.ofInstant(instant(ts), ZoneOffset.UTC).toString()
                : LocalDate.ofInstant(instant(ts), ZoneOffset.UTC).toString();
        return new UnconvertibleValueException("column \"" + column.name() + "\" (" + column.displayType()
                + ") of the row with " + table.timestampColumn() + " = " + at + " holds " + problem.getMessage()
                + "; nothing was archived or deleted. Exclude such rows with the table's extra_filters or change "
                + "the value in PostgreSQL, then retry with --force");
    }

    @Override
    public List<Long> count(List<DeleteChunk> chunks) {
        String sql = "SELECT count(*) FROM " + relation + range();
        List<Long> counts = new ArrayList<>(chunks.size());
        try {
            beginSnapshot(true);
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (DeleteChunk chunk : chunks) {
                    bind(ps, 1, chunk.from());
                    bind(ps, 2, chunk.to());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        counts.add(rs.getLong(1));
                    }
                }
            }
            conn.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw fail("counting rows before delete", e);
        } finally {
            autoCommit();
        }
        return counts;
    }

    @Override
    public long deleteGuarded(DeleteChunk chunk, LongPredicate acceptable) {
        String sql = "DELETE FROM " + relation + range();
        try {
            conn.setAutoCommit(false);
            long deleted;
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                bind(ps, 1, chunk.from());
                bind(ps, 2, chunk.to());
                deleted = ps.executeLargeUpdate();
            }
            if (acceptable.test(deleted)) {
                conn.commit();
            } else {
                conn.rollback();
            }
            return deleted;
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw fail("deleting " + chunk.from() + " to " + chunk.to(), e);
        } finally {
            autoCommit();
        }
    }

    private void beginSnapshot(boolean readOnly) throws SQLException {
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" + (readOnly ? " READ ONLY" : ""));
        }
    }

    private void bind(PreparedStatement ps, int index, Instant t) throws SQLException {
        switch (schema.timeColumnType()) {
            case TIMESTAMPTZ -> ps.setObject(index, t.atOffset(ZoneOffset.UTC));
            case TIMESTAMP -> ps.setObject(index, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            case DATE -> ps.setObject(index, LocalDate.ofInstant(t, ZoneOffset.UTC));
        }
    }

    private Instant readTime(ResultSet rs, int index) throws SQLException {
        return switch (schema.timeColumnType()) {
            case TIMESTAMPTZ -> {
                OffsetDateTime v = rs.getObject(index, OffsetDateTime.class);
                yield v == null ? null : v.toInstant();
            }
            case TIMESTAMP -> {
                LocalDateTime v = rs.getObject(index, LocalDateTime.class);
                yield v == null ? null : v.toInstant(ZoneOffset.UTC);
            }
            case DATE -> {
                LocalDate v = rs.getObject(index, LocalDate.class);
                yield v == null ? null : v.atStartOfDay(ZoneOffset.UTC).toInstant();
            }
        };
    }

    private SourceException fail(String what, SQLException e) {
        String blame = !filter.isEmpty() && SqlErrors.blamesTheFilter(e)
                ? " (check extra_filters of " + table.qualifiedName() + ")" : "";
        return new SourceException(what + " of " + table.qualifiedName() + " failed: " + SqlErrors.describe(e) + blame,
                e.getSQLState(), e);
    }

    private void rollbackQuietly(Exception primary) {
        try {
            if (!conn.getAutoCommit()) {
                conn.rollback();
            }
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }

    private void autoCommit() {
        try {
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("could not restore autocommit; the pool will discard the connection", e);
        }
    }

    @Override
    public void close() {
        try (conn; PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, lockKey);
            ps.execute();
        } catch (SQLException e) {
            // The lock is a session lock: if the session is gone, so is the lock.
            log.warn("could not release the lock of {} cleanly: {}", table.qualifiedName(), e.getMessage());
        }
    }
}
