package io.pgfreezer.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the validated {@link RawConfig} into the immutable {@link FreezerConfig}: applies the
 * documented defaults, converts text to typed values, and checks the rules that span fields.
 * Every default lives here, next to the rule that uses it.
 */
final class ConfigAssembler {
    static final int DEFAULT_POOL_SIZE = 5;
    static final String DEFAULT_STATEMENT_TIMEOUT = "30s";
    static final String DEFAULT_SCHEMA = "public";
    static final Granularity DEFAULT_PARTITION_BY = Granularity.DAILY;
    static final String DEFAULT_LAG = "15d";
    static final int DEFAULT_MAX_TABLE_CONCURRENCY = 3;
    static final String DEFAULT_CHECK_INTERVAL = "1h";
    static final GlobalConfig.Compression DEFAULT_COMPRESSION = GlobalConfig.Compression.SNAPPY;
    static final int DEFAULT_DELETE_CHUNK_ROWS = 50_000;
    static final String DEFAULT_METRICS_JOB = "pg_freezer";

    /** PostgreSQL keeps statement_timeout in milliseconds as a 32-bit int; beyond it SET fails at connect time. */
    static final Duration MAX_STATEMENT_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
    /** Far more than any retention, and far from where window arithmetic on instants overflows. */
    static final Duration MAX_LAG = Duration.ofDays(36_500);
    /** Daemon sleeps are waited in milliseconds; a year between checks is already more than a daemon is for. */
    static final Duration MAX_CHECK_INTERVAL = Duration.ofDays(365);

    private final Path baseDir;
    private final Map<String, String> env;

    /**
     * @param baseDir the configuration file's directory; relative paths in the file are resolved against it
     * @param env     the environment, for the region fallback (AWS_REGION, AWS_DEFAULT_REGION) and libpq's
     *                conventions (PG* variables, HOME for ~/.pgpass and ~/.pg_service.conf)
     */
    ConfigAssembler(Path baseDir, Map<String, String> env) {
        this.baseDir = baseDir;
        this.env = env;
    }

    FreezerConfig assemble(RawConfig raw) {
        return new FreezerConfig(database(raw.database()), storage(raw.storage()), tables(raw.tables()), global(raw.global()));
    }

    private DatabaseConfig database(RawConfig.Database raw) {
        PostgresDsn dsn;
        try {
            dsn = PostgresDsn.parse(raw.dsn(), env);
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("database.dsn", e.getMessage());
        }
        return new DatabaseConfig(raw.dsn(), dsn.jdbcUrl(), dsn.user(), dsn.password(),
                orDefault(raw.poolSize(), DEFAULT_POOL_SIZE),
                duration("database.statement_timeout", raw.statementTimeout(), DEFAULT_STATEMENT_TIMEOUT,
                        MAX_STATEMENT_TIMEOUT, "PostgreSQL's limit of " + Integer.MAX_VALUE + " ms, about 24d"),
                dsn.secretParameters());
    }

    private StorageConfig storage(RawConfig.Storage raw) {
        StorageConfig.Protocol protocol = choice("storage.protocol", raw.protocol(), StorageConfig.Protocol.class, null);
        String bucket = blankToNull(raw.bucket());
        Path root = null;
        if (protocol == StorageConfig.Protocol.S3 && bucket == null) {
            throw new ConfigProblem("storage.bucket", "is required for protocol s3");
        }
        if (protocol == StorageConfig.Protocol.FILE) {
            if (blankToNull(raw.path()) == null) {
                throw new ConfigProblem("storage.path", "is required for protocol file (the local directory that holds the archive)");
            }
            root = path("storage.path", raw.path());
        }
        Optional<String> accessKey = Optional.ofNullable(blankToNull(raw.accessKey()));
        Optional<String> secretKey = Optional.ofNullable(blankToNull(raw.secretKey()));
        if (accessKey.isPresent() != secretKey.isPresent()) {
            String missing = accessKey.isPresent() ? "secret_key" : "access_key";
            String present = accessKey.isPresent() ? "access_key" : "secret_key";
            throw new ConfigProblem("storage." + missing, "is empty but " + present
                    + " is set (set both, or neither to use the default AWS credential chain)");
        }
        Optional<String> endpoint = Optional.ofNullable(blankToNull(raw.endpointUrl()));
        endpoint.ifPresent(url -> httpUrl("storage.endpoint_url", url));
        return new StorageConfig(protocol, bucket, root, endpoint, region(raw.region()), accessKey, secretKey,
                orDefault(raw.pathStyle(), false));
    }

    private String region(String configured) {
        for (String candidate : new String[] {configured, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")}) {
            if (blankToNull(candidate) != null) {
                return candidate.strip();
            }
        }
        // Left to the AWS SDK's chain (profile, instance metadata) when the storage is opened.
        return null;
    }

    private List<TableConfig> tables(List<RawConfig.Table> raw) {
        List<TableConfig> tables = new ArrayList<>(raw.size());
        // Archive keys are {table}/... and _manifests/{table}/...: the schema is not part of them.
        Map<String, Integer> firstByName = new HashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = "tables[" + i + "]";
            TableConfig table = table(at, raw.get(i));
            Integer earlier = firstByName.putIfAbsent(table.name(), i);
            if (earlier != null) {
                TableConfig other = tables.get(earlier);
                String problem = other.schema().equals(table.schema())
                        ? "table " + table.qualifiedName() + " is already configured as tables[" + earlier + "]"
                        : "table '" + table.name() + "' is also configured in schema '" + other.schema() + "' (tables["
                                + earlier + "]); archive keys ({table}/... and _manifests/{table}/) do not include "
                                + "the schema, so the two archives would overwrite each other";
                throw new ConfigProblem(at + ".name", problem);
            }
            tables.add(table);
        }
        return tables;
    }

    private TableConfig table(String at, RawConfig.Table raw) {
        String schema = raw.schema() == null ? DEFAULT_SCHEMA : raw.schema();
        if (schema.isBlank()) {
            throw new ConfigProblem(at + ".schema", "must not be empty (leave it out for " + DEFAULT_SCHEMA + ")");
        }
        return new TableConfig(raw.name(), schema, raw.timestampColumn(),
                choice(at + ".partition_by", raw.partitionBy(), Granularity.class, DEFAULT_PARTITION_BY),
                duration(at + ".lag", raw.lag(), DEFAULT_LAG, MAX_LAG, "36500d, 100 years"),
                Optional.ofNullable(blankToNull(raw.extraFilters())),
                choice(at + ".retention", raw.retention(), Retention.class, Retention.DELETE),
                retentionSchema(at, raw));
    }

    private static Optional<String> retentionSchema(String at, RawConfig.Table raw) {
        if (raw.retentionSchema() == null) {
            return Optional.empty();
        }
        if (raw.retentionSchema().isBlank()) {
            throw new ConfigProblem(at + ".retention_schema", "must not be empty (leave it out to keep detached "
                    + "partitions in their schema)");
        }
        // Checked after retention itself, so a misspelt retention is reported as such.
        Retention retention = choice(at + ".retention", raw.retention(), Retention.class, Retention.DELETE);
        if (retention != Retention.DETACH) {
            throw new ConfigProblem(at + ".retention_schema", "only applies with retention: detach (retention is "
                    + retention.yamlName() + ")");
        }
        return Optional.of(raw.retentionSchema().strip());
    }

    private GlobalConfig global(RawConfig.Global raw) {
        RawConfig.Global g = raw != null ? raw : new RawConfig.Global(null, null, null, null, null, null, null, null);
        Duration checkInterval = duration("global.check_interval", g.checkInterval(), DEFAULT_CHECK_INTERVAL,
                MAX_CHECK_INTERVAL, "365d");
        if (checkInterval.isZero()) {
            throw new ConfigProblem("global.check_interval", "must be longer than 0s");
        }
        Optional<URI> webhook = g.notifications() == null ? Optional.empty()
                : Optional.ofNullable(blankToNull(g.notifications().webhookUrl()))
                        .map(url -> httpUrl("global.notify.webhook_url", url));
        return new GlobalConfig(
                orDefault(g.maxTableConcurrency(), DEFAULT_MAX_TABLE_CONCURRENCY),
                orDefault(g.dryRun(), false),
                checkInterval,
                compression(g.compression()),
                orDefault(g.deleteChunkRows(), DEFAULT_DELETE_CHUNK_ROWS),
                webhook,
                metrics(g.metrics()),
                retry(g.retry()));
    }

    private static GlobalConfig.Retry retry(RawConfig.Retry raw) {
        GlobalConfig.Retry d = GlobalConfig.Retry.defaults();
        if (raw == null) {
            return d;
        }
        int attempts = raw.attempts() == null ? d.attempts() : raw.attempts();
        if (attempts < 1 || attempts > 100) {
            throw new ConfigProblem("global.retry.attempts", "must be between 1 and 100 (1 means no retries)");
        }
        Duration initial = raw.initialDelay() == null ? d.initialDelay() : duration("global.retry.initial_delay", raw.initialDelay(), null, Duration.ofHours(1), "1h");
        Duration max = raw.maxDelay() == null ? d.maxDelay() : duration("global.retry.max_delay", raw.maxDelay(), null, Duration.ofHours(1), "1h");
        if (initial.compareTo(max) > 0) {
            throw new ConfigProblem("global.retry.initial_delay", "must not be longer than global.retry.max_delay ("
                    + raw.maxDelay() + ")");
        }
        return new GlobalConfig.Retry(attempts, initial, max);
    }

    private GlobalConfig.Metrics metrics(RawConfig.Metrics raw) {
        if (raw == null) {
            return GlobalConfig.Metrics.none();
        }
        Optional<Path> textfile = Optional.ofNullable(blankToNull(raw.textfilePath()))
                .map(p -> path("global.metrics.textfile_path", p));
        Optional<URI> pushgateway = Optional.ofNullable(blankToNull(raw.pushgatewayUrl()))
                .map(url -> httpUrl("global.metrics.pushgateway_url", url));
        String job = raw.job() == null ? DEFAULT_METRICS_JOB : raw.job();
        if (job.isBlank()) {
            throw new ConfigProblem("global.metrics.job", "must not be empty (leave it out for " + DEFAULT_METRICS_JOB + ")");
        }
        return new GlobalConfig.Metrics(textfile, pushgateway, job);
    }

    private static GlobalConfig.Compression compression(String raw) {
        if (raw == null) {
            return DEFAULT_COMPRESSION;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "snappy" -> GlobalConfig.Compression.SNAPPY;
            case "zstd" -> GlobalConfig.Compression.ZSTD;
            case "gzip" -> GlobalConfig.Compression.GZIP;
            case "none" -> GlobalConfig.Compression.UNCOMPRESSED;
            default -> throw new ConfigProblem("global.compression", "'" + raw + "' is not one of snappy, zstd, gzip, none");
        };
    }

    /** An enum written in lower case in YAML ({@code daily}, {@code s3}). */
    private static <E extends Enum<E>> E choice(String field, String raw, Class<E> type, E fallback) {
        if (raw == null && fallback != null) {
            return fallback;
        }
        String wanted = raw == null ? "" : raw.strip();
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT);
            if (name.equalsIgnoreCase(wanted)) {
                return constant;
            }
            names.add(name);
        }
        throw new ConfigProblem(field, "'" + raw + "' is not one of " + String.join(", ", names));
    }

    private static Duration duration(String field, String raw, String fallback, Duration max, String maxText) {
        Duration value;
        try {
            value = Timestrings.parse(raw == null ? fallback : raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem(field, e.getMessage());
        }
        if (value.compareTo(max) > 0) {
            throw new ConfigProblem(field, "'" + raw + "' is too long (at most " + maxText + ")");
        }
        return value;
    }

    private Path path(String field, String raw) {
        try {
            return baseDir.resolve(raw.strip()).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigProblem(field, "'" + raw + "' is not a valid path");
        }
    }

    /**
     * An absolute http(s) URL. The value is not repeated in the message: webhook URLs embed their
     * token, and push gateway URLs may carry basic-auth credentials.
     */
    private static URI httpUrl(String field, String raw) {
        try {
            URI uri = new URI(raw.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, without the value
        }
        throw new ConfigProblem(field, "is not an absolute http:// or https:// URL");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
