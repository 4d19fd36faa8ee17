package io.pgfreezer.testing;

import io.pgfreezer.config.DatabaseConfig;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.Archiver;
import io.pgfreezer.engine.RunOptions;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.engine.StopSignal;
import io.pgfreezer.format.ArchiveFormat;
import io.pgfreezer.format.ParquetFormat;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.notify.Notifier;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.source.Source;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real PostgreSQL database and a real object store (a local directory or the S3 API server),
 * wired to the engine as the CLI wires them, with hooks to inject faults around the real backends.
 */
public final class ArchiveFixture implements AutoCloseable {
    public final String dsn;
    public final Path root;
    public StorageConfig storageConfig;
    private final List<TableConfig> tables = new ArrayList<>();
    /** Retries as in production, with pauses short enough for a test. */
    public static final GlobalConfig.Retry FAST_RETRY = new GlobalConfig.Retry(4, Duration.ofMillis(20),
            Duration.ofMillis(200));
    private GlobalConfig global = new GlobalConfig(3, false, Duration.ofHours(1), GlobalConfig.Compression.SNAPPY,
            50_000, Optional.empty(), GlobalConfig.Metrics.none(), FAST_RETRY);
    private Clock clock = Clock.systemUTC();
    private Duration statementTimeout = Duration.ofSeconds(60);
    private int poolSize = 4;
    private UnaryOperator<ArchiveFormat> wrapFormat = UnaryOperator.identity();

    private ArchiveFixture(String dsn, Path root, StorageConfig storageConfig) {
        this.dsn = dsn;
        this.root = root;
        this.storageConfig = storageConfig;
    }

    /** A fresh database and a fresh local archive directory. */
    public static ArchiveFixture local() {
        return local(TestPostgres.newDatabase());
    }

    /** The database at {@code dsn} (a libpq URI, user postgres, no password) and a fresh local archive. */
    public static ArchiveFixture local(String dsn) {
        try {
            Path root = Files.createTempDirectory("pg-freezer-archive-");
            return new ArchiveFixture(dsn, root, new StorageConfig(StorageConfig.Protocol.FILE,
                    null, root, Optional.empty(), "us-east-1", Optional.empty(), Optional.empty(), false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh database and a fresh bucket on the S3 API server. */
    public static ArchiveFixture s3(String bucket) {
        S3ProxyServer s3 = S3ProxyServer.shared();
        s3.createBucket(bucket);
        return new ArchiveFixture(TestPostgres.newDatabase(), null, s3.storageConfig(bucket));
    }

    public ArchiveFixture table(String name, String timestampColumn, Granularity granularity, Duration lag) {
        return table("public", name, timestampColumn, granularity, lag, Optional.empty());
    }

    public ArchiveFixture table(String schema, String name, String timestampColumn, Granularity granularity,
                                Duration lag, Optional<String> extraFilters) {
        tables.add(new TableConfig(name, schema, timestampColumn, granularity, lag, extraFilters));
        return this;
    }

    public ArchiveFixture table(TableConfig table) {
        tables.add(table);
        return this;
    }

    public ArchiveFixture deleteChunkRows(int rows) {
        global = new GlobalConfig(global.maxTableConcurrency(), global.dryRun(), global.checkInterval(),
                global.compression(), rows, global.webhookUrl(), global.metrics(), global.retry());
        return this;
    }

    public ArchiveFixture statementTimeout(Duration timeout) {
        this.statementTimeout = timeout;
        return this;
    }

    public ArchiveFixture retry(GlobalConfig.Retry retry) {
        global = new GlobalConfig(global.maxTableConcurrency(), global.dryRun(), global.checkInterval(),
                global.compression(), global.deleteChunkRows(), global.webhookUrl(), global.metrics(), retry);
        return this;
    }

    public ArchiveFixture global(UnaryOperator<GlobalConfig> change) {
        global = change.apply(global);
        return this;
    }

    /** Reaches the same bucket through another endpoint, such as a fault proxy in front of the server. */
    public ArchiveFixture endpoint(java.net.URI endpoint) {
        StorageConfig s = storageConfig;
        storageConfig = new StorageConfig(s.protocol(), s.bucket(), s.path(), Optional.of(endpoint.toString()), s.region(),
                s.accessKey(), s.secretKey(), s.pathStyle());
        return this;
    }

    /** Wraps the archive format every later run uses, e.g. to plant a conversion bug. */
    public ArchiveFixture format(UnaryOperator<ArchiveFormat> wrap) {
        this.wrapFormat = wrap;
        return this;
    }

    /** Connections in the run's pool (4 unless set): with one per table, a delete has no second session. */
    public ArchiveFixture poolSize(int connections) {
        this.poolSize = connections;
        return this;
    }

    public ArchiveFixture clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    public FreezerConfig config() {
        String rest = dsn.substring("postgresql://postgres@".length());
        DatabaseConfig db = new DatabaseConfig(dsn, "jdbc:postgresql://" + rest, "postgres", null, poolSize,
                statementTimeout);
        return new FreezerConfig(db, storageConfig, tables, global);
    }

    public ObjectStorage openStorage() {
        return ObjectStorages.open(storageConfig);
    }

    /** One run through the same wiring as the CLI; storage and manifests can be wrapped to inject faults. */
    public RunReport run(RunOptions options) {
        return run(options, UnaryOperator.identity(), UnaryOperator.identity(), Notifier.NONE);
    }

    public RunReport run(RunOptions options, UnaryOperator<ObjectStorage> wrapStorage,
                         UnaryOperator<ManifestStore> wrapManifests, Notifier notifier) {
        return run(options, UnaryOperator.identity(), wrapStorage, wrapManifests, notifier);
    }

    /** As above, with each table's database session wrapped, to inject faults around the delete path. */
    public RunReport runWithTables(RunOptions options, UnaryOperator<ObjectStorage> wrapStorage,
                                   UnaryOperator<ManifestStore> wrapManifests,
                                   UnaryOperator<io.pgfreezer.source.SourceTable> wrapTables, Notifier notifier) {
        UnaryOperator<Source> wrapSource = real -> new ForwardingSource(real) {
            @Override
            protected io.pgfreezer.source.SourceTable wrap(TableConfig table, io.pgfreezer.source.SourceTable session) {
                return wrapTables.apply(session);
            }
        };
        return run(options, wrapSource, wrapStorage, wrapManifests, notifier);
    }

    /** As above, with the database wrapped too, to inject faults into what the engine reads and deletes. */
    public RunReport run(RunOptions options, UnaryOperator<Source> wrapSource, UnaryOperator<ObjectStorage> wrapStorage,
                         UnaryOperator<ManifestStore> wrapManifests, Notifier notifier) {
        FreezerConfig cfg = config();
        try (ObjectStorage real = openStorage(); PostgresSource realSource = new PostgresSource(cfg.database())) {
            ObjectStorage storage = wrapStorage.apply(real);
            Source source = wrapSource.apply(realSource);
            Archiver archiver = new Archiver(cfg, source, storage, wrapManifests.apply(new StorageManifestStore(storage)),
                    wrapFormat.apply(new ParquetFormat(cfg.global().compression())), notifier, clock, new StopSignal(),
                    Path.of(System.getProperty("java.io.tmpdir")));
            return archiver.run(options);
        }
    }

    public RunReport runAll() {
        return run(RunOptions.run(Optional.empty(), false, false));
    }

    public List<BatchManifest> manifests(String table) {
        try (ObjectStorage storage = openStorage()) {
            return new StorageManifestStore(storage).list(table);
        }
    }

    public Connection connect() {
        try {
            return DriverManager.getConnection(config().database().jdbcUrl(), "postgres", null);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void sql(String... statements) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public long count(String query) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public static Instant at(String iso) {
        return Instant.parse(iso);
    }

    @Override
    public void close() {
        // Databases and directories are per test and removed with the JVM's temp files.
    }
}
