package io.pgfreezer.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.testing.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The storage contract, and S3's own failure modes, against a real S3 API server. */
class S3ObjectStorageIT extends ObjectStorageContract {

    private static final int PARTS_IN_FLIGHT = 2;

    private final S3ProxyServer server = S3ProxyServer.shared();

    @TempDir
    Path staging;

    private String bucket;

    @Override
    protected ObjectStorage openStorage() {
        bucket = server.newBucket();
        return new S3ObjectStorage(server.storageConfig(bucket), settings());
    }

    @Override
    protected void assertNothingLeftBehind() {
        try (S3Client client = server.newClient()) {
            assertThat(client.listMultipartUploads(b -> b.bucket(bucket)).uploads())
                    .as("incomplete multipart uploads").isEmpty();
        }
        assertThat(stagingFiles()).as("staging files").isZero();
    }

    @Override
    protected void leaveUnfinishedWriteOf(String key) {
        // A dead writer leaves an upload with parts and no completion.
        try (S3Client client = server.newClient()) {
            String id = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(1),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[1024]));
        }
    }

    @Test
    void uriIsTheS3Url() {
        assertThat(storage.uri("data/a.parquet")).isEqualTo("s3://" + bucket + "/data/a.parquet");
    }

    @Test
    void moreObjectsThanApachesDefaultPoolCanBeOpenAtOnce() throws IOException {
        // verify --parallel and the manifest reads may hold this many responses open together;
        // with the HTTP client's default pool of 50 the 51st open waits for a free connection and fails.
        int open = 80;
        try (S3Client client = server.newClient()) {
            for (int i = 0; i < open; i++) {
                String body = "object " + i;
                String key = "many/" + i + ".txt";
                client.putObject(b -> b.bucket(bucket).key(key),
                        software.amazon.awssdk.core.sync.RequestBody.fromString(body));
            }
        }
        java.util.List<java.io.InputStream> streams = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < open; i++) {
                streams.add(storage.open("many/" + i + ".txt"));
            }
            for (int i = 0; i < open; i++) {
                assertThat(new String(streams.get(i).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("object " + i);
            }
        } finally {
            for (java.io.InputStream in : streams) {
                in.close();
            }
        }
    }

    @Test
    void stagingDiskStaysBoundedByThePartsInFlight() throws IOException {
        byte[] chunk = new byte[1024 * 1024];
        new Random(5).nextBytes(chunk);
        long maxStaged = 0;
        try (ObjectOutput out = storage.create("bounded.bin")) {
            for (int i = 0; i < 6 * PART_SIZE / chunk.length; i++) {
                out.write(chunk);
                maxStaged = Math.max(maxStaged, stagingFiles());
            }
            out.commit();
        }
        assertThat(maxStaged).isBetween(1L, PARTS_IN_FLIGHT + 1L);
        assertNothingLeftBehind();
    }

    @Test
    void aPartThatCannotBeUploadedFailsTheWriteInsteadOfPublishing() throws IOException {
        S3ProxyServer doomed = S3ProxyServer.start();
        String doomedBucket = doomed.newBucket();
        try (ObjectStorage dying = new S3ObjectStorage(doomed.storageConfig(doomedBucket), settings());
                ObjectOutput out = dying.create("data/lost.parquet")) {
            writeRandom(out, PART_SIZE + 1, 9);
            doomed.close();

            // The failure may surface while later parts are written or only at commit, depending
            // on how fast the dead server's uploads fail; either way nothing is published.
            byte[] more = new byte[(int) (3 * PART_SIZE)];
            assertThatThrownBy(() -> {
                out.write(more);
                out.commit();
            }).isInstanceOf(StorageException.class)
                    .hasMessageContaining("s3://" + doomedBucket + "/data/lost.parquet")
                    .hasMessageContaining("cannot reach endpoint " + doomed.endpoint());
        } finally {
            doomed.close();
        }
        assertThat(stagingFiles()).as("staging files").isZero();
    }

    @Test
    void wrongSecretKeyIsAnErrorWithTheCredentialHintAndWithoutTheSecret() {
        String wrongSecret = "not-the-secret-" + System.nanoTime();
        StorageConfig config = withKeys(server.accessKey(), wrongSecret);

        try (ObjectStorage badKeys = new S3ObjectStorage(config, settings())) {
            assertThatThrownBy(() -> badKeys.put("k", new byte[1], null))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("PutObject s3://" + bucket + "/k failed: HTTP 403")
                    .hasMessageContaining("check access_key/secret_key or the credential chain")
                    .hasMessageNotContaining(wrongSecret)
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void unknownAccessKeyIsAnErrorWithTheCredentialHint() {
        try (ObjectStorage badKeys = new S3ObjectStorage(withKeys("nobody", server.secretKey()), settings())) {
            assertThatThrownBy(() -> badKeys.list("data/"))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("check access_key/secret_key or the credential chain")
                    .hasMessageNotContaining(server.secretKey());
        }
    }

    @Test
    void missingBucketIsNamed() {
        StorageConfig config = server.storageConfig("no-such-bucket-here");

        try (ObjectStorage missing = new S3ObjectStorage(config, settings())) {
            assertThatThrownBy(() -> missing.put("k", new byte[1], null))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("NoSuchBucket")
                    .hasMessageContaining("bucket 'no-such-bucket-here' does not exist at " + server.endpoint());
        }
    }

    @Test
    void unreachableEndpointIsNamedPlainly() throws IOException {
        String endpoint = "http://127.0.0.1:" + closedPort();
        StorageConfig config = new StorageConfig(StorageConfig.Protocol.S3, bucket, null, Optional.of(endpoint),
                S3ProxyServer.REGION, Optional.of(server.accessKey()), Optional.of(server.secretKey()), true);

        try (ObjectStorage unreachable = new S3ObjectStorage(config, settings())) {
            assertThatThrownBy(() -> unreachable.get("k"))
                    .isInstanceOf(StorageException.class)
                    .hasMessageStartingWith("GetObject s3://" + bucket + "/k failed: cannot reach endpoint " + endpoint)
                    .hasMessageContaining("refused");
        }
    }

    @Test
    void noCredentialsAnywhereSaysSoInsteadOfTimingOut() {
        StorageConfig config = new StorageConfig(StorageConfig.Protocol.S3, bucket, null,
                Optional.of(server.endpoint()), S3ProxyServer.REGION, Optional.empty(), Optional.empty(), true);
        Map<String, String> isolated = Map.of(
                "aws.sharedCredentialsFile", staging.resolve("no-credentials").toString(),
                "aws.configFile", staging.resolve("no-config").toString(),
                "aws.disableEc2Metadata", "true");
        // The environment cannot be cleared from inside the JVM, so it must not carry credentials.
        assertThat(System.getenv()).as("test environment").doesNotContainKeys("AWS_ACCESS_KEY_ID",
                "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_PROFILE");
        withSystemProperties(isolated, () -> {
            try (ObjectStorage noKeys = new S3ObjectStorage(config, settings())) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> noKeys.get("k"))
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("no AWS credentials found");
                assertThat((System.nanoTime() - start) / 1_000_000_000).as("seconds to fail").isLessThan(10);
            }
        });
    }

    @Test
    void halfConfiguredStaticKeysAreRefused() {
        StorageConfig config = withKeys(server.accessKey(), null);

        assertThatThrownBy(() -> new S3ObjectStorage(config, settings()))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("must be set together");
    }

    private StorageConfig withKeys(String accessKey, String secretKey) {
        return new StorageConfig(StorageConfig.Protocol.S3, bucket, null, Optional.of(server.endpoint()),
                S3ProxyServer.REGION, Optional.ofNullable(accessKey), Optional.ofNullable(secretKey), true);
    }

    private S3WriteSettings settings() {
        return new S3WriteSettings(PART_SIZE, PARTS_IN_FLIGHT, staging);
    }

    private long stagingFiles() {
        try (Stream<Path> files = Files.list(staging)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void withSystemProperties(Map<String, String> properties, Runnable body) {
        Map<String, String> saved = new HashMap<>();
        properties.keySet().forEach(k -> saved.put(k, System.getProperty(k)));
        properties.forEach(System::setProperty);
        try {
            body.run();
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }
}
