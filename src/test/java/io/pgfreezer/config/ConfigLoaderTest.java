package io.pgfreezer.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private static final String DATABASE = """
            database:
              dsn: postgresql://app:hunter2@localhost:5432/db
            """;
    private static final String STORAGE = """
            storage:
              protocol: s3
              bucket: archive
            """;
    private static final String TABLES = """
            tables:
              - name: sensor_readings
                timestamp_column: recorded_at
            """;
    private static final String MINIMAL = DATABASE + STORAGE + TABLES;

    @TempDir
    Path dir;

    // ---- the README's full example -------------------------------------------------------------

    @Test
    void readmeExampleLoadsWithEveryValueAndDefault() {
        FreezerConfig config = load("""
                database:
                  dsn: "${PG_DSN:=postgresql://postgres:postgres@localhost:5432/db}"
                  pool_size: 5
                  statement_timeout: 30s

                storage:
                  protocol: s3
                  endpoint_url: "${S3_ENDPOINT:=http://localhost:9000}"  # omit for AWS
                  bucket: pg-freezer
                  access_key: "${S3_ACCESS_KEY}"
                  secret_key: "${S3_SECRET_KEY}"
                  path_style: true   # required for MinIO; false for AWS S3

                tables:
                  - name: sensor_readings
                    schema: public
                    timestamp_column: recorded_at
                    partition_by: daily       # hourly | daily | monthly
                    lag: 15d                  # export records older than 15 days
                    extra_filters: null       # optional SQL fragment, e.g. "sensor_type = 'temp'"

                  - name: device_events
                    schema: public
                    timestamp_column: occurred_at
                    partition_by: hourly
                    lag: 6h

                global:
                  max_table_concurrency: 3   # tables processed in parallel
                  dry_run: false
                  check_interval: 1h         # used only with --daemon
                  notify:
                    webhook_url: null        # POST JSON payload here on batch failure
                """, Map.of("S3_ACCESS_KEY", "minioadmin", "S3_SECRET_KEY", "miniosecret"));

        assertThat(config.database()).isEqualTo(new DatabaseConfig(
                "postgresql://postgres:postgres@localhost:5432/db", "jdbc:postgresql://localhost:5432/db",
                "postgres", "postgres", 5, Duration.ofSeconds(30)));
        assertThat(config.storage()).isEqualTo(new StorageConfig(StorageConfig.Protocol.S3, "pg-freezer", null,
                Optional.of("http://localhost:9000"), null, Optional.of("minioadmin"), Optional.of("miniosecret"), true));
        assertThat(config.tables()).containsExactly(
                new TableConfig("sensor_readings", "public", "recorded_at", Granularity.DAILY, Duration.ofDays(15), Optional.empty()),
                new TableConfig("device_events", "public", "occurred_at", Granularity.HOURLY, Duration.ofHours(6), Optional.empty()));
        assertThat(config.global()).isEqualTo(new GlobalConfig(3, false, Duration.ofHours(1),
                GlobalConfig.Compression.SNAPPY, 50_000, Optional.empty(), GlobalConfig.Metrics.none()));
    }

    @Test
    void defaultsApplyWhenOnlyRequiredFieldsAreGiven() {
        FreezerConfig config = load(MINIMAL, Map.of());

        assertThat(config.database().poolSize()).isEqualTo(5);
        assertThat(config.database().statementTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.storage().pathStyle()).isFalse();
        assertThat(config.storage().endpointUrl()).isEmpty();
        assertThat(config.storage().hasStaticCredentials()).isFalse();
        assertThat(config.tables().get(0)).isEqualTo(new TableConfig("sensor_readings", "public", "recorded_at",
                Granularity.DAILY, Duration.ofDays(15), Optional.empty()));
        assertThat(config.global()).isEqualTo(new GlobalConfig(3, false, Duration.ofHours(1),
                GlobalConfig.Compression.SNAPPY, 50_000, Optional.empty(), GlobalConfig.Metrics.none()));
    }

    @Test
    void everyGlobalFieldIsRead() {
        FreezerConfig config = load(MINIMAL + """
                global:
                  max_table_concurrency: 1
                  dry_run: true
                  check_interval: 30m
                  compression: none
                  delete_chunk_rows: 1000
                  notify:
                    webhook_url: https://hooks.example.com/T000/B000
                  metrics:
                    textfile_path: metrics/pg_freezer.prom
                    pushgateway_url: http://pushgateway:9091
                    job: archive
                """, Map.of());

        assertThat(config.global()).isEqualTo(new GlobalConfig(1, true, Duration.ofMinutes(30),
                GlobalConfig.Compression.UNCOMPRESSED, 1000, Optional.of(URI.create("https://hooks.example.com/T000/B000")),
                new GlobalConfig.Metrics(Optional.of(dir.resolve("metrics/pg_freezer.prom")),
                        Optional.of(URI.create("http://pushgateway:9091")), "archive")));
    }

    @Test
    void compressionNamesMapToCodecs() {
        for (var entry : Map.of("snappy", GlobalConfig.Compression.SNAPPY, "zstd", GlobalConfig.Compression.ZSTD,
                "gzip", GlobalConfig.Compression.GZIP, "none", GlobalConfig.Compression.UNCOMPRESSED).entrySet()) {
            FreezerConfig config = load(MINIMAL + "global:\n  compression: " + entry.getKey() + "\n", Map.of());
            assertThat(config.global().compression()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void tableFieldsAreKeptAsWritten() {
        FreezerConfig config = load(DATABASE + STORAGE + """
                tables:
                  - name: SensorReadings
                    schema: Telemetry
                    timestamp_column: "Recorded At"
                    partition_by: monthly
                    lag: 90m
                    extra_filters: "sensor_type = 'temp'"
                """, Map.of());

        assertThat(config.tables()).containsExactly(new TableConfig("SensorReadings", "Telemetry", "Recorded At",
                Granularity.MONTHLY, Duration.ofMinutes(90), Optional.of("sensor_type = 'temp'")));
        assertThat(config.tables().get(0).qualifiedName()).isEqualTo("Telemetry.SensorReadings");
    }

    @Test
    void tablesInDifferentSchemasWithDifferentNamesAreFine() {
        FreezerConfig config = load(DATABASE + STORAGE + """
                tables:
                  - {name: a, schema: one, timestamp_column: ts}
                  - {name: b, schema: two, timestamp_column: ts}
                """, Map.of());

        assertThat(config.tables()).extracting(TableConfig::qualifiedName).containsExactly("one.a", "two.b");
    }

    @Test
    void missingGlobalSectionMeansAllDefaults() {
        assertThat(load(MINIMAL + "global:\n", Map.of()).global()).isEqualTo(load(MINIMAL, Map.of()).global());
    }

    // ---- storage ---------------------------------------------------------------------------------

    @Test
    void regionComesFromConfigThenAwsRegionThenAwsDefaultRegionThenIsLeftToTheSdk() {
        assertThat(load(MINIMAL, Map.of()).storage().region()).isNull();
        assertThat(load(MINIMAL, Map.of("AWS_DEFAULT_REGION", "eu-west-1")).storage().region()).isEqualTo("eu-west-1");
        assertThat(load(MINIMAL, Map.of("AWS_DEFAULT_REGION", "eu-west-1", "AWS_REGION", "eu-central-1")).storage().region())
                .isEqualTo("eu-central-1");
        String withRegion = DATABASE + STORAGE + "  region: ap-south-1\n" + TABLES;
        assertThat(load(withRegion, Map.of("AWS_REGION", "eu-central-1")).storage().region()).isEqualTo("ap-south-1");
    }

    @Test
    void emptyKeysMeanTheDefaultCredentialChain() {
        FreezerConfig config = load(DATABASE + STORAGE + """
                  access_key: "${S3_ACCESS_KEY:=}"
                  secret_key: "${S3_SECRET_KEY:=}"
                """ + TABLES, Map.of());

        assertThat(config.storage().accessKey()).isEmpty();
        assertThat(config.storage().secretKey()).isEmpty();
    }

    @Test
    void emptyEndpointMeansAws() {
        FreezerConfig config = load(DATABASE + STORAGE + "  endpoint_url: \"${S3_ENDPOINT:=}\"\n" + TABLES, Map.of());

        assertThat(config.storage().endpointUrl()).isEmpty();
    }

    @Test
    void fileProtocolResolvesARelativePathAgainstTheConfigDirectory() {
        FreezerConfig config = load(DATABASE + """
                storage:
                  protocol: file
                  path: ./archive/../archive
                """ + TABLES, Map.of());

        assertThat(config.storage().protocol()).isEqualTo(StorageConfig.Protocol.FILE);
        assertThat(config.storage().path()).isEqualTo(dir.resolve("archive"));
    }

    @Test
    void fileProtocolKeepsAnAbsolutePath() {
        Path elsewhere = dir.resolve("x").toAbsolutePath();
        FreezerConfig config = load(DATABASE + "storage:\n  protocol: file\n  path: " + elsewhere + "\n" + TABLES, Map.of());

        assertThat(config.storage().path()).isEqualTo(elsewhere);
    }

    // ---- validation rules: one line, file and field named -----------------------------------------

    @Test
    void s3WithoutBucketIsRefused() {
        assertThat(error(DATABASE + "storage:\n  protocol: s3\n" + TABLES))
                .isEqualTo(file() + ": storage.bucket: is required for protocol s3");
    }

    @Test
    void fileWithoutPathIsRefused() {
        assertThat(error(DATABASE + "storage:\n  protocol: file\n" + TABLES))
                .startsWith(file() + ": storage.path: is required for protocol file");
    }

    @Test
    void unknownProtocolIsRefused() {
        assertThat(error(DATABASE + "storage:\n  protocol: gcs\n  bucket: b\n" + TABLES))
                .isEqualTo(file() + ": storage.protocol: 'gcs' is not one of s3, file");
    }

    @Test
    void missingProtocolIsRefused() {
        assertThat(error(DATABASE + "storage:\n  bucket: b\n" + TABLES))
                .isEqualTo(file() + ": storage.protocol: is required (s3 or file)");
    }

    @Test
    void oneKeyWithoutTheOtherIsRefused() {
        assertThat(error(DATABASE + STORAGE + "  access_key: AKIAEXAMPLE\n" + TABLES))
                .isEqualTo(file() + ": storage.secret_key: is empty but access_key is set "
                        + "(set both, or neither to use the default AWS credential chain)");
        assertThat(error(DATABASE + STORAGE + "  secret_key: wJalrXUtnFEMI\n" + TABLES))
                .startsWith(file() + ": storage.access_key: is empty but secret_key is set")
                .doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void endpointMustBeAnHttpUrl() {
        assertThat(error(DATABASE + STORAGE + "  endpoint_url: localhost:9000\n" + TABLES))
                .isEqualTo(file() + ": storage.endpoint_url: is not an absolute http:// or https:// URL");
    }

    @Test
    void missingDsnIsRefused() {
        assertThat(error("database:\n  pool_size: 2\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database.dsn: is required");
    }

    @Test
    void dsnThatExpandsToEmptyIsRefused() {
        assertThat(error("database:\n  dsn: \"${PG_DSN:=}\"\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database.dsn: is required");
    }

    @Test
    void missingSectionsAreRefused() {
        assertThat(error(STORAGE + TABLES)).isEqualTo(file() + ": database: is required");
        assertThat(error(DATABASE + TABLES)).isEqualTo(file() + ": storage: is required");
        assertThat(error(DATABASE + STORAGE)).isEqualTo(file() + ": tables: must list at least one table");
    }

    @Test
    void emptyTableListIsRefused() {
        assertThat(error(DATABASE + STORAGE + "tables: []\n")).isEqualTo(file() + ": tables: must list at least one table");
    }

    @Test
    void emptyTableEntryIsRefused() {
        assertThat(error(DATABASE + STORAGE + "tables:\n  -\n"))
                .startsWith(file() + ": tables[0]: is empty");
    }

    @Test
    void tableWithoutNameOrTimestampColumnIsRefused() {
        assertThat(error(DATABASE + STORAGE + "tables:\n  - timestamp_column: ts\n"))
                .isEqualTo(file() + ": tables[0].name: is required");
        assertThat(error(DATABASE + STORAGE + "tables:\n  - name: t\n  - name: u\n    timestamp_column: \"  \"\n"))
                .isEqualTo(file() + ": tables[0].timestamp_column: is required (and 1 more problem)");
    }

    @Test
    void poolSizeAndConcurrencyMustBeAtLeastOne() {
        assertThat(error("database:\n  dsn: postgresql://h/db\n  pool_size: 0\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database.pool_size: must be at least 1");
        assertThat(error(MINIMAL + "global:\n  max_table_concurrency: 0\n"))
                .isEqualTo(file() + ": global.max_table_concurrency: must be at least 1");
        assertThat(error(MINIMAL + "global:\n  delete_chunk_rows: -5\n"))
                .isEqualTo(file() + ": global.delete_chunk_rows: must be at least 1");
    }

    @Test
    void badTimestringNamesTheField() {
        assertThat(error(DATABASE + STORAGE + """
                tables:
                  - name: a
                    timestamp_column: ts
                  - name: b
                    timestamp_column: ts
                    lag: 15x
                """)).isEqualTo(file() + ": tables[1].lag: '15x' is not a timestring (use e.g. 15d, 6h, 30m, 10s)");
        assertThat(error("database:\n  dsn: postgresql://h/db\n  statement_timeout: 30\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database.statement_timeout: '30' is not a timestring (use e.g. 15d, 6h, 30m, 10s)");
        assertThat(error(MINIMAL + "global:\n  check_interval: 1 hour\n"))
                .startsWith(file() + ": global.check_interval: '1 hour' is not a timestring");
    }

    @Test
    void durationsAreBoundedWhereTheEngineAndPostgresqlCanUseThem() {
        assertThat(load("database:\n  dsn: postgresql://h/db\n  statement_timeout: 24d\n" + STORAGE + TABLES, Map.of())
                .database().statementTimeout()).isEqualTo(Duration.ofDays(24));
        assertThat(error("database:\n  dsn: postgresql://h/db\n  statement_timeout: 2147484s\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database.statement_timeout: '2147484s' is too long "
                        + "(at most PostgreSQL's limit of 2147483647 ms, about 24d)");
        assertThat(load(MINIMAL + "    lag: 36500d\n", Map.of()).tables().get(0).lag()).isEqualTo(Duration.ofDays(36_500));
        assertThat(error(MINIMAL + "    lag: 36501d\n"))
                .isEqualTo(file() + ": tables[0].lag: '36501d' is too long (at most 36500d, 100 years)");
        assertThat(load(MINIMAL + "global:\n  check_interval: 365d\n", Map.of()).global().checkInterval())
                .isEqualTo(Duration.ofDays(365));
        assertThat(error(MINIMAL + "global:\n  check_interval: 8761h\n"))
                .isEqualTo(file() + ": global.check_interval: '8761h' is too long (at most 365d)");
    }

    @Test
    void zeroCheckIntervalIsRefused() {
        assertThat(error(MINIMAL + "global:\n  check_interval: 0s\n"))
                .isEqualTo(file() + ": global.check_interval: must be longer than 0s");
    }

    @Test
    void unknownGranularityIsRefused() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    partition_by: weekly\n"))
                .isEqualTo(file() + ": tables[0].partition_by: 'weekly' is not one of hourly, daily, monthly");
    }

    @Test
    void retentionDefaultsToDeleteAndAcceptsDetachWithASchema() {
        assertThat(load(MINIMAL, Map.of()).tables().get(0).retention()).isEqualTo(Retention.DELETE);
        TableConfig t = load(DATABASE + STORAGE + TABLES + "    retention: detach\n    retention_schema: archive\n",
                Map.of()).tables().get(0);
        assertThat(t.retention()).isEqualTo(Retention.DETACH);
        assertThat(t.retentionSchema()).contains("archive");
        assertThat(load(DATABASE + STORAGE + TABLES + "    retention: DROP\n", Map.of()).tables().get(0).retention())
                .isEqualTo(Retention.DROP);
    }

    @Test
    void unknownRetentionIsRefused() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    retention: truncate\n"))
                .isEqualTo(file() + ": tables[0].retention: 'truncate' is not one of delete, detach, drop");
    }

    @Test
    void retentionSchemaWithoutDetachIsRefused() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    retention: drop\n    retention_schema: archive\n"))
                .isEqualTo(file() + ": tables[0].retention_schema: only applies with retention: detach (retention is drop)");
        assertThat(error(DATABASE + STORAGE + TABLES + "    retention: detach\n    retention_schema: \"  \"\n"))
                .startsWith(file() + ": tables[0].retention_schema: must not be empty");
    }

    @Test
    void valueWithLineBreaksStillGivesOneLine() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    partition_by: \"week\\nly\"\n"))
                .isEqualTo(file() + ": tables[0].partition_by: 'week\\nly' is not one of hourly, daily, monthly");
    }

    @Test
    void unknownCompressionIsRefused() {
        assertThat(error(MINIMAL + "global:\n  compression: lz4\n"))
                .isEqualTo(file() + ": global.compression: 'lz4' is not one of snappy, zstd, gzip, none");
    }

    @Test
    void sameTableNameInTwoSchemasIsRefusedBecauseArchiveKeysWouldCollide() {
        assertThat(error(DATABASE + STORAGE + """
                tables:
                  - {name: readings, schema: plant_a, timestamp_column: ts}
                  - {name: other, timestamp_column: ts}
                  - {name: readings, schema: plant_b, timestamp_column: ts}
                """)).startsWith(file() + ": tables[2].name: table 'readings' is also configured in schema 'plant_a' (tables[0])")
                .contains("would overwrite each other");
    }

    @Test
    void sameTableTwiceIsRefused() {
        assertThat(error(DATABASE + STORAGE + """
                tables:
                  - {name: readings, timestamp_column: ts}
                  - {name: readings, schema: public, timestamp_column: other}
                """)).isEqualTo(file() + ": tables[1].name: table public.readings is already configured as tables[0]");
    }

    @Test
    void blankSchemaIsRefused() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    schema: ''\n"))
                .startsWith(file() + ": tables[0].schema: must not be empty");
    }

    @Test
    void wrongTypesNameTheField() {
        assertThat(error("database:\n  dsn: postgresql://h/db\n  pool_size: many\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database.pool_size: 'many' is not a whole number");
        assertThat(error("database:\n  dsn: postgresql://h/db\n  pool_size: 2.5\n" + STORAGE + TABLES))
                .startsWith(file() + ": database.pool_size: ");
        assertThat(error(DATABASE + STORAGE + "  path_style: maybe\n" + TABLES))
                .isEqualTo(file() + ": storage.path_style: 'maybe' is not true or false");
        assertThat(error(DATABASE + STORAGE + "tables:\n  name: t\n"))
                .isEqualTo(file() + ": tables: expected a list (entries starting with '- ')");
        assertThat(error("database: postgresql://h/db\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": database: expected a mapping of fields");
    }

    @Test
    void numericStringsFromEnvironmentAreAccepted() {
        FreezerConfig config = load("database:\n  dsn: postgresql://h/db\n  pool_size: \"${POOL:=8}\"\n" + STORAGE + TABLES, Map.of());

        assertThat(config.database().poolSize()).isEqualTo(8);
    }

    // ---- unknown and duplicate keys ----------------------------------------------------------------

    @Test
    void unknownKeyIsRefusedWithItsPathAndASuggestion() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    partition: daily\n"))
                .isEqualTo(file() + ": tables[0].partition: unknown field (did you mean partition_by?)");
        assertThat(error(DATABASE + STORAGE + "  path_stlye: true\n" + TABLES))
                .isEqualTo(file() + ": storage.path_stlye: unknown field (did you mean path_style?)");
    }

    @Test
    void unknownKeyWithoutCloseMatchListsTheValidOnes() {
        assertThat(error(MINIMAL + "global:\n  notify:\n    slack: x\n"))
                .isEqualTo(file() + ": global.notify.slack: unknown field (expected one of: webhook_url)");
    }

    @Test
    void unknownTopLevelSectionIsRefused() {
        assertThat(error(MINIMAL + "globals:\n  dry_run: true\n"))
                .isEqualTo(file() + ": globals: unknown field (did you mean global?)");
    }

    @Test
    void duplicateKeyIsRefused() {
        assertThat(error(DATABASE + STORAGE + TABLES + "    lag: 1d\n    lag: 2d\n"))
                .startsWith(file() + ": tables[0].lag: is written twice");
    }

    @Test
    void secondYamlDocumentIsRefused() {
        assertThat(error(MINIMAL + "---\n" + MINIMAL)).startsWith(file() + ": line 10, column 1: a second YAML document");
    }

    @Test
    void numberTooLargeIsRefused() {
        assertThat(error(MINIMAL + "global:\n  delete_chunk_rows: 99999999999\n"))
                .isEqualTo(file() + ": global.delete_chunk_rows: number is out of range");
    }

    // ---- malformed input ---------------------------------------------------------------------------

    @Test
    void malformedYamlGivesLineAndColumnOnly() {
        String message = error("database:\n  dsn: postgresql://app:hunter2@h/db\n   bad: [\n");

        assertThat(message).matches(quoted(file()) + ": line \\d+, column \\d+: malformed YAML: .+")
                .doesNotContain("hunter2").doesNotContain("\n");
    }

    @Test
    void emptyFileIsRefused() {
        assertThat(error("# nothing here\n")).startsWith(file() + ": holds no configuration");
    }

    @Test
    void topLevelListIsRefused() {
        assertThat(error("- a\n- b\n")).startsWith(file() + ": must be a mapping");
    }

    @Test
    void missingFileIsReportedAsNotFound() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file not found: " + missing);
    }

    @Test
    void unsetVariableNamesTheFileAndTheVariable() {
        assertThat(error("database:\n  dsn: \"${PG_DSN}\"\n" + STORAGE + TABLES))
                .isEqualTo(file() + ": line 2: environment variable PG_DSN is not set (write ${PG_DSN:=default} if it is optional)");
    }

    @Test
    void commentedOutReferenceToUnsetVariableIsHarmless() {
        FreezerConfig config = load("# dsn: \"${PG_DSN}\"\n" + DATABASE + STORAGE + "  # access_key: ${S3_ACCESS_KEY}\n" + TABLES,
                Map.of());

        assertThat(config.database().user()).isEqualTo("app");
    }

    @Test
    void configExceptionMeansExitCodeTwo() {
        ConfigException e = (ConfigException) catchError(MINIMAL + "bogus: 1\n");

        assertThat(e.exitCode()).isEqualTo(2);
    }

    // ---- secrets never appear in messages --------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "database:\n  dsn: mysql://app:hunter2@h/db\n",
            "database:\n  dsn: postgresql://app:hunter2@h:notaport/db\n",
            "database:\n  dsn: postgresql://app:hunter2/db\n",
            "database:\n  dsn: [postgresql://app:hunter2@h/db]\n",
            "database:\n  dsn: postgresql://app:hunter2@h/db\n  pool_size: [1]\n",
            "database:\n  dsn: {url: postgresql://app:hunter2@h/db}\n"})
    void badDsnNeverShowsThePassword(String database) {
        assertThat(error(database + STORAGE + TABLES)).startsWith(file() + ": database.").doesNotContain("hunter2");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "  access_key: [hunter2]\n  secret_key: x\n",
            "  access_key: x\n  secret_key: {k: hunter2}\n",
            "  access_key: hunter2\n",
            "  secret_key: hunter2\n"})
    void badKeysNeverShowTheirValues(String keys) {
        assertThat(error(DATABASE + STORAGE + keys + TABLES)).startsWith(file() + ": storage.").doesNotContain("hunter2");
    }

    @Test
    void badWebhookUrlIsNotEchoedBecauseItHoldsAToken() {
        assertThat(error(MINIMAL + "global:\n  notify:\n    webhook_url: hooks.slack.com/services/hunter2\n"))
                .isEqualTo(file() + ": global.notify.webhook_url: is not an absolute http:// or https:// URL");
    }

    @Test
    void expandedSecretIsNotEchoedWhenTheYamlAroundItBreaks() {
        assertThat(error("database:\n  dsn: ${PG_DSN}\n" + STORAGE + TABLES, Map.of("PG_DSN", "postgresql://app:hunt#er2: x@h/db")))
                .doesNotContain("hunt");
    }

    @Test
    void toStringOfTheLoadedConfigHidesSecrets() {
        FreezerConfig config = load(DATABASE + STORAGE + "  access_key: AKIAEXAMPLE\n  secret_key: s3cr3tKey\n" + TABLES, Map.of());

        assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("AKIAEXAMPLE").doesNotContain("s3cr3tKey");
    }

    // ---- the shipped example -----------------------------------------------------------------------

    @Test
    void shippedExampleLoadsWithNoEnvironment() {
        FreezerConfig config = ConfigLoader.load(Path.of("config.example.yaml"), Map.of());

        assertThat(config.tables()).isNotEmpty();
        assertThat(config.storage().protocol()).isEqualTo(StorageConfig.Protocol.S3);
        assertThat(config.database().jdbcUrl()).startsWith("jdbc:postgresql://");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private FreezerConfig load(String yaml, Map<String, String> env) {
        return ConfigLoader.load(write(yaml), env);
    }

    private String error(String yaml) {
        return error(yaml, Map.of());
    }

    private String error(String yaml, Map<String, String> env) {
        Throwable e = catchError(yaml, env);
        assertThat(e.getMessage()).doesNotContain("\n");
        return e.getMessage();
    }

    private Throwable catchError(String yaml) {
        return catchError(yaml, Map.of());
    }

    private Throwable catchError(String yaml, Map<String, String> env) {
        Path file = write(yaml);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(file, env));
        assertThat(thrown).as("loading should fail").isInstanceOf(ConfigException.class);
        return thrown;
    }

    private Path write(String yaml) {
        try {
            return Files.writeString(file(), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path file() {
        return dir.resolve("config.yaml");
    }

    private static String quoted(Path path) {
        return java.util.regex.Pattern.quote(path.toString());
    }
}
