package io.pgfreezer.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code storage:} section. For {@code protocol: s3} the bucket is required and the endpoint,
 * region and keys are optional (empty keys mean the default AWS credential chain). For
 * {@code protocol: file}, {@code path} is the local root directory that plays the bucket's role.
 * {@link #toString()} never shows the keys.
 */
public record StorageConfig(
        Protocol protocol,
        String bucket,
        Path path,
        Optional<String> endpointUrl,
        String region,
        Optional<String> accessKey,
        Optional<String> secretKey,
        boolean pathStyle) {

    public enum Protocol { S3, FILE }

    /** Static keys were configured; otherwise the default AWS credential chain applies. */
    public boolean hasStaticCredentials() {
        return accessKey.isPresent() && secretKey.isPresent();
    }

    @Override
    public String toString() {
        return "StorageConfig[protocol=" + protocol + ", bucket=" + bucket + ", path=" + path
                + ", endpointUrl=" + endpointUrl.orElse(null) + ", region=" + region
                + ", accessKey=" + (accessKey.isPresent() ? "***" : "null")
                + ", secretKey=" + (secretKey.isPresent() ? "***" : "null")
                + ", pathStyle=" + pathStyle + "]";
    }
}
