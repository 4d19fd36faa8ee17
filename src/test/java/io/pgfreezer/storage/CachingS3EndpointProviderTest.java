package io.pgfreezer.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

class CachingS3EndpointProviderTest {

    private static final S3EndpointProvider RULES = S3EndpointProvider.defaultProvider();
    private static final List<String> KEYS = List.of("_manifests/readings/0123456789abcdef.json",
            "readings/year=2024/month=01/day=15/data.parquet", "a", "dir/", "with space/and+plus",
            "--x-s3", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "_manifest_index/readings.json.gz");

    private static S3EndpointParams.Builder params(String bucket, String endpoint, boolean pathStyle) {
        S3EndpointParams.Builder b = S3EndpointParams.builder().bucket(bucket).region(Region.US_EAST_1)
                .useFips(false).useDualStack(false).forcePathStyle(pathStyle).accelerate(false)
                .useGlobalEndpoint(false).disableMultiRegionAccessPoints(false);
        return endpoint == null ? b : b.endpoint(endpoint);
    }

    /** What the cache relies on: the rules give one answer for every object of a bucket. */
    @Test
    void theRulesGiveEveryObjectOfABucketTheSameEndpoint() {
        for (String endpoint : new String[] {null, "http://127.0.0.1:9000", "https://minio.example:9443/base"}) {
            for (boolean pathStyle : new boolean[] {true, false}) {
                Endpoint first = RULES.resolveEndpoint(params("archive", endpoint, pathStyle).build()).join();
                for (String key : KEYS) {
                    Endpoint other = RULES.resolveEndpoint(params("archive", endpoint, pathStyle).key(key).prefix(key)
                            .copySource("archive/" + key).deleteObjectKeys(List.of(key)).build()).join();
                    assertThat(other.url()).as("%s %s %s", endpoint, pathStyle, key).isEqualTo(first.url());
                    assertThat(other.headers()).isEqualTo(first.headers());
                    assertThat(String.valueOf(other)).isEqualTo(String.valueOf(first));
                }
            }
        }
    }

    @Test
    void answersAsTheRulesDoAndEvaluatesThemOncePerBucketAndSetting() {
        AtomicInteger evaluations = new AtomicInteger();
        CachingS3EndpointProvider cached = new CachingS3EndpointProvider(p -> {
            evaluations.incrementAndGet();
            return RULES.resolveEndpoint(p);
        });
        for (String bucket : List.of("archive", "other-archive")) {
            for (boolean pathStyle : new boolean[] {true, false}) {
                for (String key : KEYS) {
                    S3EndpointParams p = params(bucket, "http://127.0.0.1:9000", pathStyle).key(key).build();
                    assertThat(cached.resolveEndpoint(p).join().url()).isEqualTo(RULES.resolveEndpoint(p).join().url());
                }
            }
        }
        assertThat(evaluations).hasValue(4);
        assertThat(cached.size()).isEqualTo(4);
    }

    @Test
    void aSettingThatChangesTheAnswerIsPartOfTheKey() {
        CachingS3EndpointProvider cached = new CachingS3EndpointProvider(RULES);
        Endpoint plain = cached.resolveEndpoint(params("archive", null, false).build()).join();
        Endpoint fips = cached.resolveEndpoint(params("archive", null, false).useFips(true).build()).join();
        Endpoint west = cached.resolveEndpoint(params("archive", null, false).region(Region.EU_WEST_1).build()).join();
        assertThat(plain.url().getHost()).isEqualTo("archive.s3.us-east-1.amazonaws.com");
        assertThat(fips.url().getHost()).isEqualTo("archive.s3-fips.us-east-1.amazonaws.com");
        assertThat(west.url().getHost()).isEqualTo("archive.s3.eu-west-1.amazonaws.com");
    }

    @Test
    void aRefusedBucketIsRefusedEveryTimeAndNotRemembered() {
        AtomicInteger evaluations = new AtomicInteger();
        CachingS3EndpointProvider cached = new CachingS3EndpointProvider(p -> {
            evaluations.incrementAndGet();
            return RULES.resolveEndpoint(p);
        });
        // The rules refuse path-style addressing together with S3 Transfer Acceleration.
        S3EndpointParams bad = params("archive", null, true).accelerate(true).build();
        for (int i = 0; i < 2; i++) {
            CompletableFuture<Endpoint> answer = cached.resolveEndpoint(bad);
            assertThatThrownBy(answer::join).hasMessageContaining("Accelerate");
        }
        assertThat(evaluations).hasValue(2);
        assertThat(cached.size()).isZero();
    }

    @Test
    void staysBoundedWhateverItIsAskedAbout() {
        CachingS3EndpointProvider cached = new CachingS3EndpointProvider(RULES);
        for (int i = 0; i < CachingS3EndpointProvider.MAX_ENTRIES * 3; i++) {
            cached.resolveEndpoint(params("bucket-" + i, "http://127.0.0.1:9000", true).build()).join();
        }
        assertThat(cached.size()).isLessThanOrEqualTo(CachingS3EndpointProvider.MAX_ENTRIES);
    }
}
