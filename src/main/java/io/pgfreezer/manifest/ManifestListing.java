package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Every manifest name under one table's manifest prefix, listed in parts at once when there are
 * more than one page of them.
 *
 * <p>Why: a listing page holds at most 1,000 keys and each page can only be asked for once the
 * previous one has named its last key, so 100,000 manifests are 100 round trips in a row; and
 * some S3-compatible servers (s3proxy's file-system backend, for one) spend time on every key
 * under the requested prefix for each page, so a narrower prefix is cheaper per page as well.
 *
 * <p>A manifest is named by its batch id, 16 lowercase hex digits, ours and the original's alike
 * ({@link StorageManifestStore#isManifestName}); nothing else under the prefix is one. So beyond
 * the first page the prefix splits into 16 parts by first digit, and no request names the whole
 * prefix again: on the servers above that is the request that costs time for every key the
 * table has. The result holds every object the first page showed plus every object under the
 * digit parts; names outside the digits beyond the first page are not asked for. Like a single
 * listing, it is no snapshot of objects written meanwhile.
 *
 * <p>Nothing the first page already showed is asked for again: digit parts it went past are
 * not listed, the one it ended in is listed on from its last key.
 */
final class ManifestListing {
    static final String DIGITS = "0123456789abcdef";

    private ManifestListing() {
    }

    /**
     * @param pageSize keys per listing request (S3 returns at most 1,000)
     * @param parallelism how many parts are listed at once
     */
    static List<ObjectInfo> list(ObjectStorage storage, String prefix, int pageSize, int parallelism,
                                 ThreadFactory threads) {
        ObjectStorage.Page first = storage.listPage(prefix, null, pageSize);
        if (!first.truncated()) {
            return first.objects();
        }
        String firstLast = first.lastKey();
        List<Callable<List<ObjectInfo>>> parts = new ArrayList<>();
        for (char digit : DIGITS.toCharArray()) {
            String part = prefix + digit;
            if (firstLast.startsWith(part)) {
                // The first page ends inside this part: page on from where it stopped.
                parts.add(() -> rest(storage, part, firstLast, pageSize));
            } else if (firstLast.compareTo(part) < 0) {
                // The two differ first where the part has its ASCII digit: there UTF-16 order is
                // S3's code point order.
                parts.add(() -> rest(storage, part, null, pageSize));
            }
            // else the first page went past every name of this part: it holds all of them.
        }
        List<ObjectInfo> all = new ArrayList<>(first.objects());
        if (parts.isEmpty()) {
            return all;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, parts.size()), threads);
        try {
            List<Future<List<ObjectInfo>>> futures = new ArrayList<>(parts.size());
            for (Callable<List<ObjectInfo>> part : parts) {
                futures.add(pool.submit(part));
            }
            // Parts come back in key order and after the first page, so the whole stays sorted.
            for (Future<List<ObjectInfo>> future : futures) {
                all.addAll(StorageManifestStore.awaitResult(future));
            }
        } finally {
            // On the first failure the other parts are pointless: stop them.
            pool.shutdownNow();
        }
        return all;
    }

    /** Every object under {@code part} after {@code startAfter} (null: all), page after page. */
    private static List<ObjectInfo> rest(ObjectStorage storage, String part, String startAfter, int pageSize) {
        List<ObjectInfo> found = new ArrayList<>();
        ObjectStorage.Page page;
        String after = startAfter;
        do {
            page = storage.listPage(part, after, pageSize);
            found.addAll(page.objects());
            after = page.lastKey();
        } while (page.truncated());
        return found;
    }
}
