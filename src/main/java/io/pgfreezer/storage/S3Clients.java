package io.pgfreezer.storage;

import io.pgfreezer.config.StorageConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

/** Builds the SDK client a {@code storage:} section describes. */
final class S3Clients {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(S3Clients.class);

    static final String DEFAULT_REGION = "us-east-1";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** One request, retries excluded; a whole part must fit in it on a slow link. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(60);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Apache's pool holds 50 connections by default, while a command may have up to 1,024
     * manifest reads or {@code verify --parallel} object reads in flight at once; a request that
     * waits longer than the pool's acquisition timeout for a connection fails. Connections are
     * opened only on demand, so a large bound costs nothing until a command asks for them.
     */
    static final int MAX_CONNECTIONS = 2048;

    private S3Clients() {
    }

    static S3Client build(StorageConfig config, String region) {
        var builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT)
                        .maxConnections(MAX_CONNECTIONS))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .retryStrategy(RetryMode.STANDARD)
                        .build())
                .region(Region.of(region))
                .forcePathStyle(config.pathStyle())
                .endpointProvider(new CachingS3EndpointProvider(S3EndpointProvider.defaultProvider()))
                .credentialsProvider(credentials(config))
                // The SDK's newer default trailing checksums are refused by many S3-compatible
                // stores; every upload carries Content-MD5 instead, which all of them verify.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        endpoint(config).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    static final String NO_REGION = "no AWS region: storage.region is not set, and neither AWS_REGION (or "
            + "AWS_DEFAULT_REGION), the profile (region = ... in AWS_CONFIG_FILE or ~/.aws/config, the profile "
            + "AWS_PROFILE names or [default]) nor the instance metadata service named one; set storage.region";

    /**
     * The region the client signs for: storage.region (or AWS_REGION / AWS_DEFAULT_REGION, which
     * the config takes first), else the SDK's chain. Against AWS that is the whole chain, instance
     * metadata included, and finding none is an error; an S3-compatible endpoint is asked of the
     * environment and profile only (probing instance metadata would only delay every start off
     * EC2) and falls back to us-east-1, which such stores accept.
     *
     * @throws StorageException when AWS is the endpoint and no region is found
     */
    static String region(StorageConfig config) {
        if (config.region() != null && !config.region().isBlank()) {
            return config.region();
        }
        boolean customEndpoint = config.endpointUrl().filter(s -> !s.isBlank()).isPresent();
        AwsRegionProvider chain = customEndpoint
                ? new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                : DefaultAwsRegionProviderChain.builder().build();
        try {
            String region = chain.getRegion().id();
            log.info("S3 region {} (from the AWS environment, profile or instance metadata)", region);
            return region;
        } catch (SdkClientException e) {
            if (customEndpoint) {
                return DEFAULT_REGION;
            }
            throw new StorageException(NO_REGION, e);
        }
    }

    /** How messages name the endpoint: the configured URL, or AWS's own for the region. */
    static String endpointName(StorageConfig config, String region) {
        return config.endpointUrl().filter(s -> !s.isBlank())
                .orElse("AWS S3 in region " + region);
    }

    private static Optional<URI> endpoint(StorageConfig config) {
        return config.endpointUrl().filter(s -> !s.isBlank()).map(url -> {
            try {
                URI uri = new URI(url);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new URISyntaxException(url, "expected http://host[:port] or https://host[:port]");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new StorageException("storage.endpoint_url '" + url + "' is not a valid URL: "
                        + e.getReason(), e);
            }
        });
    }

    private static AwsCredentialsProvider credentials(StorageConfig config) {
        if (config.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey().get(), config.secretKey().get()));
        }
        // Environment, system properties, profile, web identity (IRSA), container and instance profile.
        return DefaultCredentialsProvider.builder().build();
    }
}
