package io.pgfreezer.source;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.pgfreezer.config.DatabaseConfig;
import io.pgfreezer.config.TableConfig;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** PostgreSQL through a HikariCP pool; each open table holds one pooled connection. */
public final class PostgresSource implements Source {
    private final HikariDataSource pool;
    private final DatabaseConfig config;

    public PostgresSource(DatabaseConfig config) {
        this.config = config;
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        // Properties, not URL parameters: the URL appears in messages and in the pool's and the driver's logs.
        config.secretParameters().forEach(hc::addDataSourceProperty);
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(0);
        hc.setPoolName("pg-freezer");
        hc.setConnectionTimeout(30_000);
        // A CLI should fail at once with the reason when the database is unreachable.
        hc.setInitializationFailTimeout(1);
        hc.addDataSourceProperty("ApplicationName", "pg-freezer");
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        // Window bounds are UTC instants; the session must agree for timestamp and date columns.
        hc.setConnectionInitSql("SET TIME ZONE 'UTC'; SET statement_timeout = "
                + config.statementTimeout().toMillis());
        try {
            this.pool = new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException e) {
            throw new SourceException(config.redact("cannot connect to PostgreSQL at " + config.jdbcUrl() + ": "
                    + rootMessage(e)), sqlState(e), e);
        }
    }

    @Override
    public Optional<SourceTable> open(TableConfig table) {
        Connection c = connection();
        try {
            if (!tryLock(c, lockKey(table))) {
                c.close();
                return Optional.empty();
            }
            return Optional.of(new PostgresSourceTable(c, table, lockKey(table), this::connection));
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c, e);
            if (e instanceof SQLException se) {
                throw new SourceException(config.redact("cannot open table " + table.qualifiedName() + ": "
                        + SqlErrors.describe(se)), se.getSQLState(), se);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Opens a session on the table archived rows of {@code table} are restored into, which may be
     * {@code table} itself, and takes that table's archiving lock (the lock a run of it takes).
     * Empty when another process holds it.
     */
    public Optional<RestoreTarget> openRestore(TableConfig table, String targetSchema, String targetTable) {
        Connection c = connection();
        long key = lockKey(targetSchema + "." + targetTable);
        try {
            if (!tryLock(c, key)) {
                c.close();
                return Optional.empty();
            }
            return Optional.of(new PostgresRestoreTarget(c, key, table, targetSchema, targetTable));
        } catch (SQLException e) {
            closeQuietly(c, e);
            throw new SourceException(config.redact("cannot lock table " + targetSchema + "." + targetTable + ": "
                    + SqlErrors.describe(e)), e.getSQLState(), e);
        }
    }

    private Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new SourceException(config.redact("cannot get a PostgreSQL connection: " + rootMessage(e)),
                    e.getSQLState(), e);
        }
    }

    private static boolean tryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The advisory lock key of a table: stable across processes and versions, and derived from
     * the qualified name so tables never share a lock by accident.
     */
    static long lockKey(TableConfig table) {
        return lockKey(table.qualifiedName());
    }

    private static long lockKey(String qualifiedName) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(("pg_freezer|" + qualifiedName).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Connection c, Exception primary) {
        try {
            c.close();
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof SQLException se) {
            return SqlErrors.describe(se);
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException se && se.getSQLState() != null) {
                return se.getSQLState();
            }
        }
        return null;
    }

    @Override
    public void close() {
        pool.close();
    }
}
