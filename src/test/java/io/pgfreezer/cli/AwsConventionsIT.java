package io.pgfreezer.cli;

import io.pgfreezer.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged binary follows the AWS SDK's conventions for what the config leaves out: the
 * region from the profile, and a failing web identity (IRSA) setup named as the cause. Each run
 * gets an environment of its own, with no AWS variable of the test's.
 */
class AwsConventionsIT {

    private static Path config(String storage) throws Exception {
        Path config = Files.createTempFile("pg-freezer-", ".yaml");
        Files.writeString(config, """
                database:
                  dsn: "postgresql://nobody@localhost:1/none"
                storage:
                  protocol: s3
                  bucket: aws-conventions
                %s
                tables:
                  - name: sensor_readings
                    timestamp_column: recorded_at
                """.formatted(storage));
        return config;
    }

    private static BinaryEndToEndIT.Result status(Map<String, String> env, Path config) throws Exception {
        ProcessBuilder pb = BinaryEndToEndIT.launcher(Map.of(), "status", "-c", config.toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().put("LOG_FORMAT", "console");
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
        pb.environment().put("AWS_CONFIG_FILE", "/nonexistent/config");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("pg-freezer-out-", ".txt");
        Path err = Files.createTempFile("pg-freezer-err-", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new BinaryEndToEndIT.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theRegionComesFromTheProfileThatAwsProfileNames() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        s3.createBucket("aws-conventions");
        Path awsConfig = Files.createTempFile("aws-config-", "");
        Files.writeString(awsConfig, "[default]\nregion = us-west-2\n\n[profile archive]\nregion = eu-west-3\n");
        Path config = config("""
                  endpoint_url: "%s"
                  path_style: true
                  access_key: "%s"
                  secret_key: "%s"
                """.formatted(s3.endpoint(), s3.accessKey(), s3.secretKey()));
        Map<String, String> env = new HashMap<>(Map.of("AWS_CONFIG_FILE", awsConfig.toString(), "AWS_PROFILE", "archive"));

        BinaryEndToEndIT.Result status = status(env, config);

        assertThat(status.exit()).as(status.stderr()).isZero();
        assertThat(status.stderr()).contains("S3 region eu-west-3");
    }

    @Test
    void noRegionAnywhereIsOneClearLine() throws Exception {
        Path config = config("""
                  access_key: "AKIAEXAMPLEEXAMPLE"
                  secret_key: "not-a-real-secret-key"
                """);

        BinaryEndToEndIT.Result status = status(Map.of(), config);

        assertThat(status.exit()).isNotZero();
        assertThat(status.stderr()).contains("no AWS region").contains("set storage.region")
                .doesNotContain("\tat ").doesNotContain("not-a-real-secret-key");
        assertThat(status.stderr().lines().filter(l -> l.contains("no AWS region"))).hasSize(1);
    }

    @Test
    void anUnreadableWebIdentityTokenIsNamedAsTheCause() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        Path config = config("""
                  endpoint_url: "%s"
                  path_style: true
                  region: us-east-1
                """.formatted(s3.endpoint()));
        Path token = Files.createTempDirectory("irsa-").resolve("token");

        BinaryEndToEndIT.Result status = status(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
                "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/archiver"), config);

        assertThat(status.exit()).isNotZero();
        assertThat(status.stderr()).contains("web identity (IRSA) credentials failed: the token file " + token
                + " (AWS_WEB_IDENTITY_TOKEN_FILE) does not exist").doesNotContain("\tat ");
    }
}
