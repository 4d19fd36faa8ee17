package io.pgfreezer.testing;

import io.pgfreezer.config.StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server (s3proxy on its file-system backend) in a child process, for integration
 * tests. The child keeps s3proxy's own Jetty and Jackson off the test classpath.
 *
 * <p>Starting takes a few seconds, so one server serves every test class of a JVM:
 * {@link #shared()} starts it on first use and a shutdown hook stops it. Give each test its own
 * bucket ({@link #newBucket()}) rather than a fresh server. In JUnit 5, a test may also take it as
 * a parameter with {@code @ExtendWith(S3ProxyServer.Extension.class)}.
 *
 * <p>The jar comes from system property {@value #JAR_PROPERTY}, which Maven sets. Without it the
 * test fails (it does not skip): a suite that silently skips its storage tests proves nothing.
 * The server's output goes to {@code target/s3proxy-logs/}.
 *
 * <p>Tests use the {@code filesystem} backend ({@link Provider#FILESYSTEM}); a benchmark may start
 * another with {@link #start(Provider)}. In s3proxy 4.1.0 {@code filesystem-nio2} and
 * {@code transient-nio2} are aliases of {@code filesystem} and {@code transient}: one store
 * implementation over a directory or over an in-memory file system (jimfs).
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String JAR_PROPERTY = "pgfreezer.s3proxy.jar";
    public static final String REGION = "us-east-1";
    /** Space-separated JVM options for the server's process (benchmarks: a flight recording). */
    public static final String JVM_OPTIONS_PROPERTY = "pgfreezer.s3proxy.jvmOptions";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Path LOG_DIR = Path.of("target", "s3proxy-logs");
    private static S3ProxyServer shared;

    private final Process process;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private final Path dataDir;
    private final Path logFile;
    private final Provider provider;

    private S3ProxyServer(Process process, URI endpoint, String accessKey, String secretKey,
            Path dataDir, Path logFile, Provider provider) {
        this.provider = provider;
        this.process = process;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    /** The JVM's one server, started on first call and stopped when the JVM exits. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null || !shared.process.isAlive()) {
            S3ProxyServer started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "s3proxy-shutdown"));
            shared = started;
        }
        return shared;
    }

    /** The s3proxy backends ({@code jclouds.provider}) this harness can start. */
    public enum Provider {
        FILESYSTEM("filesystem", true),
        FILESYSTEM_NIO2("filesystem-nio2", true),
        TRANSIENT("transient", false),
        TRANSIENT_NIO2("transient-nio2", false);

        private final String property;
        private final boolean onDisk;

        Provider(String property, boolean onDisk) {
            this.property = property;
            this.onDisk = onDisk;
        }

        /** The name s3proxy takes as {@code jclouds.provider}. */
        public String property() {
            return property;
        }

        /** Whether objects live in files under the server's data directory (else in its heap). */
        public boolean onDisk() {
            return onDisk;
        }

        /** The provider named as s3proxy names it ({@code transient-nio2}, say). */
        public static Provider named(String name) {
            for (Provider p : values()) {
                if (p.property.equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown s3proxy provider '" + name + "'; known: "
                    + java.util.Arrays.stream(values()).map(Provider::property).toList());
        }
    }

    /** A server of one's own, for a test that must stop it; prefer {@link #shared()}. */
    public static S3ProxyServer start() {
        return start(Provider.FILESYSTEM);
    }

    /** A server of one's own on the given backend. */
    public static S3ProxyServer start(Provider provider) {
        Path jar = jar();
        try {
            Files.createDirectories(LOG_DIR);
            Path dataDir = Files.createTempDirectory("pg-freezer-s3proxy-");
            int port = freePort();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            String accessKey = "test-access-" + UUID.randomUUID().toString().substring(0, 8);
            String secretKey = "test-secret-" + UUID.randomUUID();
            Path properties = dataDir.resolveSibling(dataDir.getFileName() + ".properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    "jclouds.provider=" + provider.property(),
                    "jclouds.filesystem.basedir=" + dataDir,
                    ""), StandardCharsets.UTF_8);
            Path logFile = LOG_DIR.resolve("s3proxy-" + port + ".log").toAbsolutePath();
            // An in-memory backend holds every object in the server's heap: 100,000 manifests
            // and the copies a listing makes need more than the file-system backend's 256 MiB.
            String heap = provider.onDisk() ? "-Xmx256m" : "-Xmx1g";
            List<String> command = new java.util.ArrayList<>(List.of(javaExecutable(), heap));
            // Extra options for the server's JVM, say a flight recording of where it spends its time.
            String extra = System.getProperty(JVM_OPTIONS_PROPERTY, "").strip();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString(), "--properties", properties.toString()));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            S3ProxyServer server = new S3ProxyServer(process, endpoint, accessKey, secretKey, dataDir, logFile,
                    provider);
            server.awaitPort(port);
            Files.deleteIfExists(properties);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy from " + jar, e);
        }
    }

    public String endpoint() {
        return endpoint.toString();
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public Path logFile() {
        return logFile;
    }

    public Provider provider() {
        return provider;
    }

    /** CPU time the server's process has used so far (zero where the OS does not say). */
    public Duration cpuTime() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /**
     * Stores an object the way this server's file-system backend stores a PUT, without the
     * request: the bytes as a file named by the key under the bucket's directory, with the three
     * attributes s3proxy 4.1.0 writes on a PUT, under the names it gives them (the view adds a
     * second {@code user.} on Linux): content MD5, which is the ETag, content type and storage
     * tier. Filling a bucket with 100,000 manifests this way takes seconds
     * where PUTs take minutes. Anything that relies on it should first check, with one object,
     * that the server serves such a file exactly as a PUT one (see the manifest benchmark).
     */
    public void writeDirectly(String bucket, String key, byte[] data, String contentType) {
        if (!provider.onDisk()) {
            throw new IllegalStateException("the " + provider.property() + " backend keeps objects in memory");
        }
        Path bucketDir = dataDir.resolve(bucket);
        Path file = bucketDir.resolve(key).normalize();
        if (!file.startsWith(bucketDir) || key.endsWith("/")) {
            throw new IllegalArgumentException("not an object key: " + key);
        }
        try {
            Files.createDirectories(file.getParent());
            // Written beside its final name and moved there, so the server never lists a half-written file.
            Path temp = Files.createTempFile(file.getParent(), ".direct-", ".tmp");
            Files.write(temp, data);
            var view = Files.getFileAttributeView(temp, java.nio.file.attribute.UserDefinedFileAttributeView.class);
            view.write("user.content-md5", java.nio.ByteBuffer.wrap(md5(data)));
            view.write("user.content-type", StandardCharsets.UTF_8.encode(contentType));
            view.write("user.storage-tier", StandardCharsets.UTF_8.encode("STANDARD"));
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + key + " into " + bucketDir, e);
        }
    }

    private static byte[] md5(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no MD5 in this JVM", e);
        }
    }

    /** Creates a bucket (idempotent) and returns its name. */
    public String createBucket(String name) {
        try (S3Client client = newClient()) {
            if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(name))) {
                client.createBucket(b -> b.bucket(name));
            }
        }
        return name;
    }

    /** A fresh bucket of its own for one test, so tests never see each other's objects. */
    public String newBucket() {
        return createBucket("test-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20)
                .toLowerCase(Locale.ROOT));
    }

    /** A {@code storage:} section pointing at this server with its keys and path-style addressing. */
    public StorageConfig storageConfig(String bucket) {
        return new StorageConfig(StorageConfig.Protocol.S3, bucket, null, Optional.of(endpoint()), REGION,
                Optional.of(accessKey), Optional.of(secretKey), true);
    }

    /** A raw client for looking behind the storage API (listing multipart uploads, say). Close it. */
    public S3Client newClient() {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(ApacheHttpClient.builder())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** Stops the server and its children and removes its data; the log stays for diagnosis. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(dataDir);
    }

    private void awaitPort(int port) {
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited with status " + process.exitValue()
                        + " during startup; see " + logFile + ":\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IllegalStateException("s3proxy did not open port " + port + " within "
                + STARTUP_TIMEOUT.toSeconds() + " s; see " + logFile + ":\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static Path jar() {
        String property = System.getProperty(JAR_PROPERTY);
        if (property == null || property.isBlank()) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set: run the "
                    + "integration tests through Maven (mvn verify), which copies s3proxy to "
                    + "target/test-servers/s3proxy.jar and passes its path");
        }
        Path jar = Path.of(property);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(JAR_PROPERTY + " names " + jar + ", which does not exist: "
                    + "run mvn generate-test-resources (or verify) to fetch it");
        }
        return jar;
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for s3proxy", e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Best effort: it is a temp directory.
                }
            });
        } catch (IOException e) {
            // Best effort: it is a temp directory.
        }
    }

    /** Resolves {@link S3ProxyServer} parameters of test constructors and methods to {@link #shared()}. */
    public static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == S3ProxyServer.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return shared();
        }
    }
}
