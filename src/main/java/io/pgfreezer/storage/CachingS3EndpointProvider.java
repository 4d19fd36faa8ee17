package io.pgfreezer.storage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

/**
 * The SDK's S3 endpoint rules, evaluated once per bucket and client setting instead of on every
 * request. The SDK runs its rule set (a few hundred branches over ARNs, FIPS, dual-stack, access
 * points...) twice per request, for the URL and for the auth scheme; that was about a tenth of
 * the client's CPU per manifest GET, for an answer that only changes with the bucket.
 *
 * <p>The cache key is every parameter the rules read. The object key, prefix, copy source and the
 * keys of a batch delete are parameters too, but the rules of this SDK version never read them
 * (its generated provider has no call to their getters), so the result for one object of a bucket
 * is the result for all of them; a test holds the rules to that. Failures are not cached: a
 * bucket the rules refuse is refused again, with the SDK's own message, on every request.
 */
final class CachingS3EndpointProvider implements S3EndpointProvider {
    /** One client talks to one bucket; the bound only keeps a misuse from growing without end. */
    static final int MAX_ENTRIES = 64;

    private final S3EndpointProvider rules;
    private final Map<Key, Endpoint> resolved = new ConcurrentHashMap<>();

    CachingS3EndpointProvider(S3EndpointProvider rules) {
        this.rules = rules;
    }

    private record Key(String bucket, Region region, Boolean useFips, Boolean useDualStack, String endpoint,
                       Boolean forcePathStyle, Boolean accelerate, Boolean useGlobalEndpoint,
                       Boolean useObjectLambdaEndpoint, Boolean disableAccessPoints,
                       Boolean disableMultiRegionAccessPoints, Boolean useArnRegion,
                       Boolean useS3ExpressControlEndpoint, Boolean disableS3ExpressSessionAuth) {
        static Key of(S3EndpointParams p) {
            return new Key(p.bucket(), p.region(), p.useFips(), p.useDualStack(), p.endpoint(), p.forcePathStyle(),
                    p.accelerate(), p.useGlobalEndpoint(), p.useObjectLambdaEndpoint(), p.disableAccessPoints(),
                    p.disableMultiRegionAccessPoints(), p.useArnRegion(), p.useS3ExpressControlEndpoint(),
                    p.disableS3ExpressSessionAuth());
        }
    }

    @Override
    public CompletableFuture<Endpoint> resolveEndpoint(S3EndpointParams params) {
        Key key = Key.of(params);
        Endpoint known = resolved.get(key);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<Endpoint> fresh = rules.resolveEndpoint(params);
        if (fresh.isDone() && !fresh.isCompletedExceptionally()) {
            if (resolved.size() >= MAX_ENTRIES) {
                resolved.clear();
            }
            resolved.put(key, fresh.join());
        }
        return fresh;
    }

    int size() {
        return resolved.size();
    }
}
