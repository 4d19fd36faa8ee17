package io.pgfreezer.bench;

import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.pgfreezer.testing.S3ProxyServer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one listing request costs on each s3proxy backend, over N keys shaped like manifest keys
 * ({@code _manifests/t/<16 hex>.json}): the first 1,000-key page of the whole prefix, one from
 * its middle (start-after), a page of a one-hex-digit prefix (what {@code ManifestListing} asks
 * for) and of a two-digit one, a request for a prefix no key has (the floor every request pays), each the median of
 * five, and every page in sequence.
 * Real S3 answers a 1,000-key page in tens of milliseconds whatever the bucket holds, so the
 * backend whose page cost does not grow with N is the one that lets a benchmark measure the tool.
 *
 * <p>Run: {@code scripts/benchmark-manifests.sh --listing [N...]}; one backend with
 * {@code S3PROXY_PROVIDER}, else those of system property {@code pgfreezer.s3proxy.providers}
 * (comma-separated, default all four).
 */
public final class ListingBenchmark {
    private static final String PREFIX = "_manifests/t/";

    private ListingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = ManifestBenchmark.sizes(args);
        String names = System.getProperty(ManifestBenchmark.PROVIDER_PROPERTY,
                System.getProperty("pgfreezer.s3proxy.providers", "filesystem,filesystem-nio2,transient,transient-nio2"));
        List<String> rows = new ArrayList<>();
        for (String name : names.split(",")) {
            S3ProxyServer.Provider provider = S3ProxyServer.Provider.named(name.strip());
            try (S3ProxyServer s3 = S3ProxyServer.start(provider)) {
                for (int n : sizes) {
                    rows.add(measure(s3, provider, n));
                }
            }
        }
        System.out.println();
        System.out.printf("%-16s %9s %10s %12s %12s %12s %12s %12s %8s %14s%n", "provider", "keys", "fill/s",
                "1st page ms", "mid page ms", "1-hex pg ms", "2-hex pg ms", "no match ms", "pages", "all pages s");
        rows.forEach(System.out::println);
    }

    private static String measure(S3ProxyServer s3, S3ProxyServer.Provider provider, int n) throws Exception {
        String bucket = s3.newBucket();
        try (ObjectStorage storage = ObjectStorages.open(s3.storageConfig(bucket))) {
            long t = System.nanoTime();
            ManifestObjects.fill(s3, bucket, storage, PREFIX, n, i -> new byte[600]);
            double putSeconds = seconds(t);
            // Warm the server's and the client's code paths before the timed requests.
            storage.listPage(PREFIX, null, 1000);
            double page = medianMillis(() -> storage.listPage(PREFIX, null, 1000));
            double middlePage = medianMillis(() -> storage.listPage(PREFIX, PREFIX + "8", 1000));
            double hexPage = medianMillis(() -> storage.listPage(PREFIX + "7", null, 1000));
            double twoHexPage = medianMillis(() -> storage.listPage(PREFIX + "7a", null, 1000));
            // A prefix no key has: what every request costs, whatever it asks for.
            double emptyPage = medianMillis(() -> storage.listPage(PREFIX + "none-", null, 1000));
            int pages = (n + 999) / 1000;
            // Paging through all of it in sequence is timed only where that takes under a minute;
            // elsewhere (100,000 keys on the file-system backend: over 20 minutes) it is estimated.
            String all;
            if (pages * Math.max(page, middlePage) < 60_000) {
                t = System.nanoTime();
                String after = null;
                ObjectStorage.Page p;
                do {
                    p = storage.listPage(PREFIX, after, 1000);
                    after = p.lastKey();
                } while (p.truncated());
                all = String.format(Locale.ROOT, "%.2f", seconds(t));
            } else {
                all = String.format(Locale.ROOT, "~%.0f (est.)", pages * (page + middlePage) / 2 / 1000);
            }
            String row = String.format(Locale.ROOT, "%-16s %,9d %,10.0f %12.1f %12.1f %12.1f %12.1f %12.1f %8d %14s",
                    provider.property(), n, n / putSeconds, page, middlePage, hexPage, twoHexPage, emptyPage, pages, all);
            System.out.println(row);
            return row;
        }
    }

    private static double medianMillis(Runnable request) {
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            request.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
