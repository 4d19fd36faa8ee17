package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectKeys;
import io.pgfreezer.storage.ObjectStorage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * Every object under one table's manifest prefix, listed in parts at once when there are more
 * than one page of them.
 *
 * <p>Why: a listing page holds at most 1,000 keys and each page can only be asked for once the
 * previous one has named its last key, so 100,000 manifests are 100 round trips in a row; and
 * some S3-compatible servers (s3proxy's file-system backend, for one) spend time on every key
 * under the requested prefix for each page, so a narrower prefix is cheaper per page as well.
 *
 * <p>Batch ids, ours and the original's, are 16 lowercase hex digits, so the prefix splits into
 * 16 parts by first digit. Three more listings cover every name that does not start with one
 * (put there by hand or by another tool): before {@code 0}, between {@code 9} and {@code a}, and
 * after {@code f}, by code point as S3 orders keys. The union is exactly the objects one listing
 * of the whole prefix shows; like that listing, it is no snapshot of objects written meanwhile.
 *
 * <p>Nothing the first page already showed is asked for again: digit parts it went past are
 * not listed, the one it ended in is listed on from its last key. Every request but the first
 * and the two one-key probes of the stretches names a one-digit prefix, which matters on servers
 * whose cost per request grows with the keys under the prefix (s3proxy: about 0.27 ms a key on
 * its file-system backend, so 27 s for a page of 100,000 keys' prefix and 1.2 s for one digit's).
 */
final class ManifestListing {
    static final String DIGITS = "0123456789abcdef";
    /** Sorts after every character a key can hold, so "x" + MAX follows every key that is "x" alone. */
    private static final String MAX = new String(Character.toChars(Character.MAX_CODE_POINT));

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
            } else if (ObjectKeys.ORDER.compare(part, firstLast) > 0) {
                parts.add(() -> rest(storage, part, null, pageSize));
            }
            // else the first page went past every name of this part: it holds all of them.
        }
        // Names before "0": the first page already holds the start of them.
        parts.add(() -> gap(storage, prefix, first, pageSize, cp -> cp < '0' ? Step.TAKE : Step.STOP));
        // The other two stretches are almost always empty: one key says so, where a full page
        // would carry (and the client parse) up to 1,000 names of the next digit part for nothing.
        parts.add(() -> gap(storage, prefix, storage.listPage(prefix, prefix + '9' + MAX, 1), pageSize,
                cp -> cp > '9' && cp < 'a' ? Step.TAKE : cp < 'a' ? Step.SKIP : Step.STOP));
        parts.add(() -> gap(storage, prefix, storage.listPage(prefix, prefix + 'f' + MAX, 1), pageSize,
                cp -> cp > 'f' ? Step.TAKE : Step.SKIP));
        Map<String, ObjectInfo> byKey = new HashMap<>();
        for (ObjectInfo info : first.objects()) {
            byKey.put(info.key(), info);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, parts.size()), threads);
        try {
            List<Future<List<ObjectInfo>>> futures = new ArrayList<>(parts.size());
            for (Callable<List<ObjectInfo>> part : parts) {
                futures.add(pool.submit(part));
            }
            for (Future<List<ObjectInfo>> future : futures) {
                for (ObjectInfo info : StorageManifestStore.awaitResult(future)) {
                    byKey.putIfAbsent(info.key(), info);
                }
            }
        } finally {
            // On the first failure the other parts are pointless: stop them.
            pool.shutdownNow();
        }
        List<ObjectInfo> all = new ArrayList<>(byKey.values());
        all.sort((a, b) -> a.key().compareTo(b.key()));
        return all;
    }

    private enum Step { TAKE, SKIP, STOP }

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

    /**
     * The objects of one stretch between the digit parts, paging on from {@code page} while the
     * first character of each name says it may still lie in the stretch.
     */
    private static List<ObjectInfo> gap(ObjectStorage storage, String prefix, ObjectStorage.Page page, int pageSize,
                                        Function<Integer, Step> byFirstCodePoint) {
        List<ObjectInfo> found = new ArrayList<>();
        while (true) {
            for (ObjectInfo info : page.objects()) {
                Step step = byFirstCodePoint.apply(info.key().codePointAt(prefix.length()));
                if (step == Step.STOP) {
                    return found;
                }
                if (step == Step.TAKE) {
                    found.add(info);
                }
            }
            if (!page.truncated()) {
                return found;
            }
            page = storage.listPage(prefix, page.lastKey(), pageSize);
        }
    }
}
