package io.pgfreezer.containers;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optional container variant of the end-to-end test: PostgreSQL 16 and MinIO in Docker
 * instead of the embedded server and s3proxy, with the packaged binary doing run, verify and
 * fetch. Where no Docker engine answers (most CI runners and workstations without Docker), the
 * class is skipped before any container is asked for.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersEndToEndIT {
    private static final String BUCKET = "archive";

    @Container
    static final PostgreSQLContainer<?> POSTGRES = new PostgreSQLContainer<>("postgres:16-alpine");

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2024-12-18T13-15-44Z");

    private static Process launch(Path config, Path stdout, String... args) throws Exception {
        Path jar = Path.of(System.getProperty("pgfreezer.shaded.jar")).toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(jar.getParent().getParent().resolve("bin/pg-freezer").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-c", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PG_FREEZER_JAR", jar.toString());
        pb.environment().put("LOG_FORMAT", "console");
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return p;
    }

    @Test
    void runVerifyAndFetchAgainstPostgres16AndMinio() throws Exception {
        try (Connection c = DriverManager.getConnection(POSTGRES.getJdbcUrl(), POSTGRES.getUsername(),
                POSTGRES.getPassword()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, "
                    + "value numeric(10,3), note text)");
            st.execute("INSERT INTO sensor_readings SELECT t, n % 5, n / 8.0, 'reading ' || n FROM "
                    + "generate_series(timestamptz '2024-01-01 00:00+00', timestamptz '2024-01-03 23:00+00', "
                    + "interval '1 hour') WITH ORDINALITY AS g(t, n)");
        }
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(MINIO.getS3URL())).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(MINIO.getUserName(), MINIO.getPassword()))).build()) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        Path config = Files.createTempFile("pg-freezer-containers-", ".yaml");
        Files.writeString(config, """
                database:
                  dsn: "postgresql://%s:%s@%s:%d/%s"
                storage:
                  protocol: s3
                  bucket: %s
                  endpoint_url: "%s"
                  path_style: true
                  access_key: "%s"
                  secret_key: "%s"
                tables:
                  - name: sensor_readings
                    timestamp_column: recorded_at
                    partition_by: daily
                    lag: 1d
                """.formatted(POSTGRES.getUsername(), POSTGRES.getPassword(), POSTGRES.getHost(),
                POSTGRES.getFirstMappedPort(), POSTGRES.getDatabaseName(), BUCKET, MINIO.getS3URL(),
                MINIO.getUserName(), MINIO.getPassword()));
        Path out = Files.createTempFile("pg-freezer-out-", ".txt");

        assertThat(launch(config, out, "run").exitValue()).isZero();
        assertThat(launch(config, out, "verify", "--deep").exitValue()).isZero();
        assertThat(launch(config, out, "fetch", "-t", "sensor_readings", "--from", "2024-01-01", "--to", "2024-01-04",
                "--format", "csv").exitValue()).isZero();

        List<String> csv = Files.readAllLines(out);
        assertThat(csv).hasSize(1 + 72);
        assertThat(csv.get(1)).contains("reading 1");
        try (Connection c = DriverManager.getConnection(POSTGRES.getJdbcUrl(), POSTGRES.getUsername(),
                POSTGRES.getPassword()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sensor_readings")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
