package io.pgfreezer.source;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.DeleteChunk;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import io.pgfreezer.format.ArchivedRows;
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
import java.util.function.Supplier;

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
    private final boolean partitioned;
    private final int serverMajor;
    private final Supplier<Connection> spareSessions;

    PostgresSourceTable(Connection conn, TableConfig table, long lockKey, Supplier<Connection> spareSessions)
            throws SQLException {
        this.conn = conn;
        this.spareSessions = spareSessions;
        this.table = table;
        this.lockKey = lockKey;
        this.relation = Identifiers.qualified(table.schema(), table.name());
        this.timeColumn = Identifiers.quote(table.timestampColumn());
        this.filter = table.extraFilters().map(f -> " AND (" + f + ")").orElse("");
        this.schema = describe();
        this.partitioned = relkind() == 'p';
        this.serverMajor = conn.getMetaData().getDatabaseMajorVersion();
        checkFilter();
    }

    private char relkind() throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT c.relkind FROM pg_class c JOIN pg_namespace n "
                + "ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1).charAt(0) : 'r';
            }
        }
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
    public EligibleRows eligibleRows(Instant before) {
        String sql = "SELECT count(*), min(" + timeColumn + ") FROM " + relation + " WHERE " + timeColumn + " < ?"
                + filter;
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, 1, before);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new EligibleRows(rs.getLong(1), Optional.ofNullable(readTime(rs, 2)));
            }
        } catch (SQLException e) {
            throw fail("counting the rows not yet archived", e);
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
    public ExportResult export(Instant start, Instant end, int chunkRows, ArchivedRows alreadyArchived,
                               BatchSink sink) {
        try {
            beginSnapshot(true);
            pinSessionForExport();
            long xmin = snapshotXmin();
            ExportResult result = copy(relation, filter, start, end, chunkRows, alreadyArchived, sink);
            conn.commit();
            // Only an export that handed on every row it saw makes "seen by this snapshot" mean
            // "in the archive"; a partition proof relies on exactly that.
            boolean sawOnlyArchived = filter.isEmpty() && result.alreadyArchived() == 0;
            return new ExportResult(result.rows(), result.alreadyArchived(), result.chunks(), result.valueDigest(),
                    sawOnlyArchived ? xmin : null);
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw fail("exporting " + start + " to " + end, e);
        } catch (RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        } finally {
            autoCommit();
        }
    }

    /**
     * The xmin of the open transaction's snapshot, epoch included (64 bits, so it never wraps).
     * In a repeatable-read transaction every statement reads this one snapshot, taken by the
     * first statement that needs one at the latest.
     */
    private long snapshotXmin() throws SQLException {
        return snapshotBound("xmin");
    }

    /** The next transaction id of the open transaction's snapshot (its xmax), 64 bits. */
    private long snapshotXmax() throws SQLException {
        return snapshotBound("xmax");
    }

    /** {@code bound} is xmin or xmax; servers before 13 name the functions and type txid. */
    private long snapshotBound(String bound) throws SQLException {
        String fn = serverMajor >= 13 ? "pg_snapshot_" + bound + "(pg_current_snapshot())"
                : "txid_snapshot_" + bound + "(txid_current_snapshot())";
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT " + fn + "::text::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The export's COPY of one window of {@code from}. The export reads the table; the proof
     * before a partition is removed reads the partition with this same statement, so equal rows
     * give an equal digest.
     */
    private String copySql(String from, String where, Instant start, Instant end) {
        StringBuilder cols = new StringBuilder();
        for (ColumnMapping m : schema.columns()) {
            cols.append(cols.length() == 0 ? "" : ", ").append(m.selectExpression());
        }
        // COPY takes no parameters: the bounds are literals of the column's own type, so an
        // index on it still serves the range.
        return "COPY (SELECT " + cols + " FROM " + from + " WHERE " + timeColumn + " >= " + literal(start)
                + " AND " + timeColumn + " < " + literal(end) + where + " ORDER BY " + timeColumn
                + ") TO STDOUT (FORMAT binary)";
    }

    /** The window's rows through one COPY in the transaction already open. */
    private ExportResult copy(String from, String where, Instant start, Instant end, int chunkRows,
                              ArchivedRows alreadyArchived, BatchSink sink)
            throws SQLException {
        String sql = copySql(from, where, start, end);
        List<DeleteChunk> chunks = new ArrayList<>();
        long total = 0;
        long skipped = 0;
        ValueDigest digest = new ValueDigest();
        // Leaving rows out means the stream's digest no longer describes the file: the digest is
        // then taken over the tuples handed on, each copied whole so it can be matched first.
        boolean matching = alreadyArchived != null && !alreadyArchived.isEmpty();
        byte[] tuple = new byte[256];
        int[] offsets = new int[schema.columns().size()];
        int[] lengths = new int[schema.columns().size()];
        try (BufferAllocator allocator = new RootAllocator(EXPORT_MEMORY_LIMIT);
             BatchRing ring = new BatchRing(schema.arrowSchema(), allocator, EXPORT_RING);
             BatchHandoff handoff = new BatchHandoff(sink, table.qualifiedName(), EXPORT_RING)) {
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
            CopyBinaryReader in = new CopyBinaryReader(copy, matching ? null : digest);
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
                    boolean archived = false;
                    if (matching) {
                        int tupleLength = 2;
                        tuple[0] = (byte) (fields >>> 8);
                        tuple[1] = (byte) fields;
                        for (int c = 0; c < width; c++) {
                            in.fill(4);
                            int len = WireDecoder.int32(in.buf, in.pos);
                            int need = tupleLength + 4 + Math.max(len, 0);
                            if (need > tuple.length) {
                                tuple = java.util.Arrays.copyOf(tuple, Math.max(need, tuple.length * 2));
                            }
                            System.arraycopy(in.buf, in.pos, tuple, tupleLength, 4);
                            in.pos += 4;
                            tupleLength += 4;
                            offsets[c] = tupleLength;
                            lengths[c] = len;
                            if (len > 0) {
                                in.fill(len);
                                System.arraycopy(in.buf, in.pos, tuple, tupleLength, len);
                                in.pos += len;
                                tupleLength += len;
                            }
                        }
                        archived = alreadyArchived.take(tuple, 0, tupleLength);
                        if (!archived) {
                            digest.update(tuple, 0, tupleLength);
                        }
                    }
                    long ts = 0;
                    WireDecoder.Unrepresentable problem = null;
                    int problemColumn = -1;
                    for (int c = 0; c < width; c++) {
                        byte[] b;
                        int at;
                        int len;
                        if (matching) {
                            b = tuple;
                            at = offsets[c];
                            len = lengths[c];
                        } else {
                            in.fill(4);
                            len = WireDecoder.int32(in.buf, in.pos);
                            in.pos += 4;
                            if (len >= 0) {
                                in.fill(len);
                            }
                            b = in.buf;
                            at = in.pos;
                        }
                        if (len < 0) {
                            if (!archived) {
                                decoders[c].setNull(row);
                            }
                            continue;
                        }
                        if (c == timeIndex) {
                            ts = len == 8 ? WireDecoder.int64(b, at) : WireDecoder.int32(b, at);
                        }
                        if (problem == null && !archived) {
                            try {
                                decoders[c].decode(b, at, len, row);
                            } catch (WireDecoder.Unrepresentable e) {
                                // Finish the tuple first: the message names the row by its timestamp.
                                problem = e;
                                problemColumn = c;
                            }
                        }
                        if (!matching) {
                            in.pos += len;
                        }
                        if (!archived) {
                            bytes += len + 4;
                        }
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
                    inChunk++;
                    previous = ts;
                    if (archived) {
                        skipped++;
                        continue;
                    }
                    row++;
                    total++;
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
                if (total + skipped > 0) {
                    chunks.add(new DeleteChunk(chunkStart, end, inChunk));
                }
            } catch (SQLException | RuntimeException e) {
                in.discardRest(e);
                throw e;
            }
        }
        return new ExportResult(total, skipped, chunks, matching ? digest.finish() : digest.streamDigest(), null);
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
        try {
            beginSnapshot(true);
            List<Long> counts = countIn(conn, chunks);
            conn.commit();
            return counts;
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw fail("counting rows before delete", e);
        } finally {
            autoCommit();
        }
    }

    private List<Long> countIn(Connection session, List<DeleteChunk> chunks) throws SQLException {
        List<Long> counts = new ArrayList<>(chunks.size());
        try (PreparedStatement ps = session.prepareStatement("SELECT count(*) FROM " + relation + range())) {
            for (DeleteChunk chunk : chunks) {
                bind(ps, 1, chunk.from());
                bind(ps, 2, chunk.to());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    counts.add(rs.getLong(1));
                }
            }
        }
        return counts;
    }

    @Override
    public ChunkDeleter deleter() {
        return new SessionDeleter(conn, false);
    }

    @Override
    public ChunkDeleter spareDeleter() {
        Connection spare = spareSessions.get();
        return new SessionDeleter(spare, true);
    }

    /** Chunk deletes on one session: the table's own, or a spare one it hands back on close. */
    private final class SessionDeleter implements ChunkDeleter {
        private final Connection session;
        private final boolean spare;

        SessionDeleter(Connection session, boolean spare) {
            this.session = session;
            this.spare = spare;
        }

        @Override
        public OpenDelete delete(DeleteChunk chunk) {
            String what = "deleting " + chunk.from() + " to " + chunk.to();
            try {
                session.setAutoCommit(false);
                long deleted;
                try (PreparedStatement ps = session.prepareStatement("DELETE FROM " + relation + range())) {
                    bind(ps, 1, chunk.from());
                    bind(ps, 2, chunk.to());
                    deleted = ps.executeLargeUpdate();
                }
                return new Open(deleted, what);
            } catch (SQLException e) {
                end(e);
                throw fail(what, e);
            } catch (RuntimeException | Error e) {
                // Restoring autocommit would commit whatever the statement did: roll it back first.
                end(e);
                throw e;
            }
        }

        @Override
        public Snapshot snapshot() {
            return open(null);
        }

        @Override
        public Snapshot join(Snapshot shared) {
            return open(shared.id());
        }

        private Snapshot open(String shared) {
            try {
                session.setAutoCommit(false);
                String id;
                try (Statement st = session.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
                    if (shared == null) {
                        try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                            rs.next();
                            id = rs.getString(1);
                        }
                    } else {
                        // Must come before the transaction's first query, which would take a snapshot of its own.
                        st.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(shared));
                        id = shared;
                    }
                }
                return new Counting(id);
            } catch (SQLException e) {
                end(e);
                throw fail("counting rows before delete", e);
            } catch (RuntimeException | Error e) {
                end(e);
                throw e;
            }
        }

        private final class Counting implements Snapshot {
            private final String id;

            Counting(String id) {
                this.id = id;
            }

            @Override
            public String id() {
                return id;
            }

            @Override
            public List<Long> count(List<DeleteChunk> chunks) {
                try {
                    return countIn(session, chunks);
                } catch (SQLException e) {
                    throw fail("counting rows before delete", e);
                }
            }

            @Override
            public void close() {
                try {
                    session.rollback();
                } catch (SQLException e) {
                    log.debug("could not end the read-only count transaction; the pool will discard the connection", e);
                }
                autoCommit(session);
            }
        }

        /** Rolls back what is open and puts the session back in autocommit. */
        private void end(Throwable primary) {
            rollbackQuietly(session, primary);
            autoCommit(session);
        }

        private final class Open implements OpenDelete {
            private final long rows;
            private final String what;

            Open(long rows, String what) {
                this.rows = rows;
                this.what = what;
            }

            @Override
            public long rows() {
                return rows;
            }

            @Override
            public void commit() {
                try {
                    session.commit();
                } catch (SQLException e) {
                    end(e);
                    throw fail(what, e);
                }
                autoCommit(session);
            }

            @Override
            public void rollback() {
                SourceException failed = null;
                try {
                    session.rollback();
                } catch (SQLException e) {
                    // A session that is gone has rolled back with it; say so rather than hide it.
                    failed = fail("rolling back " + what, e);
                }
                autoCommit(session);
                if (failed != null) {
                    throw failed;
                }
            }
        }

        @Override
        public void close() {
            if (spare) {
                try {
                    session.close();
                } catch (SQLException e) {
                    log.debug("could not hand the spare delete session back cleanly", e);
                }
            }
        }
    }

    @Override
    public boolean isPartitioned() {
        return partitioned;
    }

    @Override
    public boolean supportsConcurrentDetach() {
        return serverMajor >= 14;
    }

    @Override
    public List<TablePartition> partitions() {
        if (!partitioned) {
            return List.of();
        }
        // inhdetachpending exists from PostgreSQL 14, the release that brought concurrent detach.
        String pending = serverMajor >= 14 ? "i.inhdetachpending" : "false";
        String sql = "WITH RECURSIVE tree(oid, parent, pending, depth) AS ("
                + " SELECT i.inhrelid, i.inhparent, " + pending + ", 1 FROM pg_inherits i"
                + "  WHERE i.inhparent = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + "                        WHERE n.nspname = ? AND c.relname = ?)"
                + " UNION ALL SELECT i.inhrelid, i.inhparent, " + pending + ", t.depth + 1"
                + "  FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)"
                + " SELECT n.nspname, c.relname, pn.nspname, pc.relname, pg_get_expr(c.relpartbound, c.oid), t.pending,"
                + "  coalesce((SELECT pt.partstrat = 'r' AND pt.partnatts = 1 AND pt.partattrs[0] = a.attnum"
                + "    FROM pg_partitioned_table pt JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attname = ?"
                + "   WHERE pt.partrelid = t.parent), false),"
                + "  pt.partdefid <> 0"
                + "  FROM tree t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + "  JOIN pg_class pc ON pc.oid = t.parent JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
                + "  JOIN pg_partitioned_table pt ON pt.partrelid = t.parent"
                + " ORDER BY t.depth, n.nspname, c.relname";
        List<TablePartition> found = new ArrayList<>();
        java.util.Map<String, TablePartition> byName = new java.util.HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            ps.setString(3, table.timestampColumn());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String bound = rs.getString(5);
                    boolean isDefault = "DEFAULT".equals(bound);
                    Instant[] range = rs.getBoolean(7) && !isDefault ? rangeOf(bound) : null;
                    TablePartition parent = byName.get(Identifiers.qualified(rs.getString(3), rs.getString(4)));
                    boolean parentIsTable = rs.getString(3).equals(table.schema()) && rs.getString(4).equals(table.name());
                    if (range != null && !parentIsTable && (parent == null || !parent.hasTimeRange())) {
                        // Below a partition that is not one time range, this range holds only part of the rows of its times.
                        range = null;
                    }
                    TablePartition p = new TablePartition(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), range == null ? null : range[0], range == null ? null : range[1],
                            isDefault, rs.getBoolean(6), rs.getBoolean(8));
                    found.add(p);
                    byName.put(p.qualifiedName(), p);
                }
            }
        } catch (SQLException e) {
            throw fail("reading the partitions", e);
        }
        return found;
    }

    private static final java.util.regex.Pattern RANGE_BOUND =
            java.util.regex.Pattern.compile("FOR VALUES FROM \\((.+)\\) TO \\((.+)\\)");

    /** A range bound's two ends as instants, or null when either is MINVALUE, MAXVALUE or infinite. */
    private Instant[] rangeOf(String bound) throws SQLException {
        java.util.regex.Matcher m = bound == null ? null : RANGE_BOUND.matcher(bound);
        if (m == null || !m.matches()) {
            return null;
        }
        Instant from = boundValue(m.group(1));
        Instant to = boundValue(m.group(2));
        return from == null || to == null ? null : new Instant[] {from, to};
    }

    /** PostgreSQL itself reads the literal, in the column's type, so every text form it prints is understood. */
    private Instant boundValue(String text) throws SQLException {
        if (!text.startsWith("'") || !text.endsWith("'")) {
            return null;
        }
        String literal = text.substring(1, text.length() - 1).replace("''", "'");
        String cast = switch (schema.timeColumnType()) {
            case TIMESTAMPTZ -> "CAST(? AS timestamptz)";
            case TIMESTAMP -> "CAST(? AS timestamp) AT TIME ZONE 'UTC'";
            case DATE -> "CAST(? AS date)::timestamp AT TIME ZONE 'UTC'";
        };
        try (PreparedStatement ps = conn.prepareStatement("SELECT CASE WHEN isfinite(" + cast + ") THEN extract(epoch FROM "
                + cast + ") END")) {
            ps.setString(1, literal);
            ps.setString(2, literal);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.math.BigDecimal epoch = rs.getBigDecimal(1);
                if (epoch == null) {
                    return null;
                }
                java.math.BigDecimal micros = epoch.movePointRight(6);
                return Instant.EPOCH.plus(micros.longValueExact(), java.time.temporal.ChronoUnit.MICROS);
            }
        }
    }

    /** Catalog names of a relation given as {@code "schema"."name"}, or null when there is none. */
    private String[] resolve(String qualified) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, qualified);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        }
    }

    private String quoted(String[] names) {
        return Identifiers.qualified(names[0], names[1]);
    }

    private String[] existing(String qualified) throws SQLException {
        String[] names = resolve(qualified);
        if (names == null) {
            throw new SourceException("table " + qualified + " does not exist");
        }
        return names;
    }

    @Override
    public PartitionState partitionState(String partition, String parent) {
        try {
            String[] p = resolve(partition);
            if (p == null) {
                return PartitionState.GONE;
            }
            String pending = serverMajor >= 14 ? "i.inhdetachpending" : "false";
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + pending + " FROM pg_inherits i"
                    + " WHERE i.inhrelid = to_regclass(?) AND i.inhparent = to_regclass(?)")) {
                ps.setString(1, partition);
                ps.setString(2, parent);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return PartitionState.DETACHED;
                    }
                    return rs.getBoolean(1) ? PartitionState.DETACH_PENDING : PartitionState.ATTACHED;
                }
            }
        } catch (SQLException e) {
            throw fail("reading the state of partition " + partition, e);
        }
    }

    @Override
    public long partitionRows(String partition) {
        try (Statement st = conn.createStatement()) {
            String name = quoted(existing(partition));
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name)) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw fail("counting the rows of partition " + partition, e);
        }
    }

    @Override
    public void detachConcurrently(String partition, String parent) {
        alterParent(partition, parent, " CONCURRENTLY", "detaching");
    }

    @Override
    public void finalizeDetach(String partition, String parent) {
        alterParent(partition, parent, " FINALIZE", "finishing the detach of");
    }

    private void alterParent(String partition, String parent, String how, String what) {
        try (Statement st = conn.createStatement()) {
            st.execute("ALTER TABLE " + quoted(existing(parent)) + " DETACH PARTITION " + quoted(existing(partition)) + how);
        } catch (SQLException e) {
            throw fail(what + " partition " + partition, e);
        }
    }

    @Override
    public PartitionProof.Outcome proveAndRemove(String partition, String parent, PartitionProof proof,
                                                 boolean detachFirst, boolean drop, Optional<String> moveToSchema) {
        try {
            String name = quoted(existing(partition));
            beginSnapshot(false);
            try (Statement st = conn.createStatement()) {
                // Waiting long for the lock would stall every query queued behind it; a busy
                // partition is tried again on the next run.
                st.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT_MS + "ms'");
                // Attached, it keeps serving reads while no write can reach it; detached, nobody
                // should be using it at all. Taken before the first query, so the snapshot
                // the proof reads is one in which no writer to it is still in flight.
                st.execute("LOCK TABLE " + name + (detachFirst ? " IN SHARE ROW EXCLUSIVE MODE" : " IN ACCESS EXCLUSIVE MODE"));
            }
            pinSessionForExport();
            PartitionProof.Outcome outcome = check(name, proof);
            if (!outcome.matches()) {
                conn.rollback();
                return outcome;
            }
            try (Statement st = conn.createStatement()) {
                if (detachFirst) {
                    st.execute("ALTER TABLE " + quoted(existing(parent)) + " DETACH PARTITION " + name);
                }
                if (drop) {
                    st.execute("DROP TABLE " + name);
                } else if (moveToSchema.isPresent()) {
                    st.execute("ALTER TABLE " + name + " SET SCHEMA " + Identifiers.quote(moveToSchema.get()));
                }
            }
            conn.commit();
            return outcome;
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw fail("proving and removing partition " + partition, e);
        } catch (RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        } finally {
            autoCommit();
        }
    }

    static final long LOCK_TIMEOUT_MS = 10_000;

    /**
     * How many transaction ids the oldest export snapshot may lie behind the proof's for the
     * 32-bit comparison in {@link #unchangedSinceExport} to hold: far below the 2^31 at which
     * {@code age()} wraps, and far beyond anything a partition waits for its windows.
     */
    static final long MAX_SNAPSHOT_AGE = 1L << 30;
    /** Transaction ids below this are special (invalid, bootstrap, frozen); {@code age()} of them is INT_MAX. */
    private static final long FIRST_NORMAL_XID = 3;

    private PartitionProof.Outcome check(String name, PartitionProof proof) throws SQLException {
        long[] fast = proof.unchanged() == null ? null : unchangedSinceExport(name, proof.unchanged());
        long total;
        if (fast != null) {
            total = fast[0];
            if (total == proof.totalRows() && fast[1] == 0) {
                return PartitionProof.Outcome.matched(PartitionProof.Method.UNCHANGED_SINCE_EXPORT);
            }
            if (total == proof.totalRows()) {
                log.info("partition {}: {} row(s) may have been written since the oldest export snapshot or lie "
                        + "outside the exported windows; reading every window's values again", name, fast[1]);
            }
        } else {
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name)) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        if (total != proof.totalRows()) {
            return PartitionProof.Outcome.differs("holds " + total + " row(s), the archive has " + proof.totalRows());
        }
        for (PartitionProof.WindowContent w : proof.windows()) {
            ValueDigest digest = new ValueDigest();
            long rows = digestOnly(name, w.start(), w.end(), digest);
            String again = digest.streamDigest();
            if (rows != w.rows() || !again.equals(w.valueDigest())) {
                return PartitionProof.Outcome.differs("holds " + rows + " row(s) in [" + w.start() + ", " + w.end()
                        + ") whose values " + (again.equals(w.valueDigest()) ? "match" : "differ from")
                        + " the " + w.rows() + " archived");
            }
        }
        return PartitionProof.Outcome.matched(PartitionProof.Method.VALUES_READ_AGAIN);
    }

    /**
     * One scan of the partition: its rows, and those of them that may not be rows the exports
     * saw; null when the exports' snapshots are too old for the comparison, so the values must
     * be read again.
     *
     * <p>Why zero of the second kind, with the total equal to the archived rows, proves the
     * partition holds exactly the archived rows: under the write lock, in a snapshot taken after
     * it, no writer to the partition is in flight, so every row version counted is committed and
     * not deleted. A version whose xmin is older than an export snapshot's xmin was written by a
     * transaction (or a subtransaction of one, whose id is larger than its parent's) that had
     * ended before that snapshot was taken, so the snapshot saw it, and saw it alive, since the
     * deleting or updating transaction of a dead version has committed and the version would be
     * dead now too. Every version written later, including by a transaction still in progress at
     * the snapshot, has an xmin at or after the snapshot's xmin; an UPDATE writes a new version,
     * a DELETE none. So with no such version, and none outside the exported ranges, the rows now
     * are a subset of the rows the exports saw; an export that saw only rows it archived (the
     * only kind that records its xmin) makes that a subset of the archive, and equal counts make
     * it all of it. Rows committed before a snapshot by a transaction younger than its xmin are
     * counted too: the test is conservative, and a false alarm only costs the full proof.
     *
     * <p>The xmin column is 32 bits and {@code age()} compares modulo 2^32 relative to the
     * current transaction id; for a snapshot xmin less than {@link #MAX_SNAPSHOT_AGE} behind,
     * {@code age(xmin) <= age(snapshot xmin)} is exactly "xmin at or after the snapshot xmin"
     * for every version written since, and a version older than 2^31 ids (frozen long ago) can
     * only land on the counted side.
     */
    private long[] unchangedSinceExport(String name, PartitionProof.Unchanged unchanged) throws SQLException {
        if (unchanged.relations() == null || !unchanged.relations().equals(partitionTree(name))) {
            log.info("partition {} is not known to be the relation its windows were exported from; reading every "
                    + "window's values again", name);
            return null;
        }
        long next = snapshotXmax();
        long xmin = unchanged.snapshotXmin();
        if (xmin > next || next - xmin >= MAX_SNAPSHOT_AGE || (xmin & 0xFFFFFFFFL) < FIRST_NORMAL_XID) {
            log.info("partition {}: the oldest export snapshot (xmin {}) is {} transaction(s) old; reading every "
                    + "window's values again", name, xmin, next - xmin);
            return null;
        }
        StringBuilder covered = new StringBuilder();
        for (PartitionProof.Span span : unchanged.covered()) {
            covered.append(covered.length() == 0 ? "" : " OR ").append("(").append(timeColumn).append(" >= ")
                    .append(literal(span.start())).append(" AND ").append(timeColumn).append(" < ")
                    .append(literal(span.end())).append(")");
        }
        String sql = "SELECT count(*), count(*) FILTER (WHERE age(xmin) <= age((?::bigint % 4294967296)::text::xid)"
                + " OR NOT coalesce(" + covered + ", false)) FROM " + name;
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, xmin);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /**
     * The export's COPY of one window of {@code from}, fed to the digest and otherwise only
     * walked tuple by tuple: the proof runs under the partition's lock, so it skips decoding.
     */
    private long digestOnly(String from, Instant start, Instant end, ValueDigest digest) throws SQLException {
        String sql = copySql(from, "", start, end);
        CopyOut copy = conn.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        CopyBinaryReader in = new CopyBinaryReader(copy, digest);
        long rows = 0;
        try {
            in.readHeader();
            while (true) {
                in.fill(2);
                int fields = WireDecoder.int16(in.buf, in.pos);
                in.pos += 2;
                if (fields == -1) {
                    in.expectEnd();
                    return rows;
                }
                for (int c = 0; c < fields; c++) {
                    in.fill(4);
                    int len = WireDecoder.int32(in.buf, in.pos);
                    in.pos += 4;
                    if (len > 0) {
                        in.fill(len);
                        in.pos += len;
                    }
                }
                rows++;
            }
        } catch (SQLException | RuntimeException e) {
            in.discardRest(e);
            throw e;
        }
    }

    @Override
    public Optional<PartitionProof.Unchanged> sameRelationsAsAtExport(String partition, PartitionProof.Unchanged unchanged) {
        if (serverMajor < 12) {
            return Optional.empty();
        }
        // The catalog rows of the partition tree are read like the partition's rows: a rewritten
        // row (rename, attach, detach, ALTER, a new sub-partition) has an xmin at or after the
        // snapshot's; VACUUM and ANALYZE update pg_class in place and leave it as it was.
        String sql = "SELECT count(*) FILTER (WHERE age(c.xmin) <= age((?::bigint % 4294967296)::text::xid)),"
                + " array_agg(c.oid::bigint ORDER BY c.oid::bigint)"
                + " FROM (" + TREE + ") t JOIN pg_class c ON c.oid = t.relid";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, unchanged.snapshotXmin());
            ps.setString(2, partition);
            ps.setString(3, partition);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.sql.Array oids = rs.getArray(2);
                if (rs.getLong(1) > 0 || oids == null) {
                    log.info("partition {} or one of its sub-partitions was created, renamed, attached or altered since "
                            + "its windows' exports; its values are read again", partition);
                    return Optional.empty();
                }
                List<Long> relations = new ArrayList<>();
                for (Object o : (Object[]) oids.getArray()) {
                    relations.add(((Number) o).longValue());
                }
                return Optional.of(unchanged.withRelations(relations));
            }
        } catch (SQLException e) {
            throw fail("reading the catalog rows of partition " + partition, e);
        }
    }

    /** A relation and everything partitioned below it; pg_partition_tree lists nothing for a table that is no partition. */
    private static final String TREE = "SELECT relid FROM pg_partition_tree(to_regclass(?))"
            + " UNION SELECT to_regclass(?)::oid";

    /** The oids of the relation and everything partitioned below it, sorted. */
    private List<Long> partitionTree(String name) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT relid::oid::bigint FROM (" + TREE + ") t ORDER BY 1")) {
            ps.setString(1, name);
            ps.setString(2, name);
            List<Long> oids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oids.add(rs.getLong(1));
                }
            }
            return oids;
        }
    }

    @Override
    public void reattach(String partition, String parent, Instant from, Instant to) {
        try (Statement st = conn.createStatement()) {
            st.execute("ALTER TABLE " + quoted(existing(parent)) + " ATTACH PARTITION " + quoted(existing(partition))
                    + " FOR VALUES FROM (" + literal(from) + ") TO (" + literal(to) + ")");
        } catch (SQLException e) {
            throw fail("attaching partition " + partition + " again", e);
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

    private void rollbackQuietly(Throwable primary) {
        rollbackQuietly(conn, primary);
    }

    private static void rollbackQuietly(Connection session, Throwable primary) {
        try {
            if (!session.getAutoCommit()) {
                session.rollback();
            }
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }

    private void autoCommit() {
        autoCommit(conn);
    }

    private static void autoCommit(Connection session) {
        try {
            session.setAutoCommit(true);
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
