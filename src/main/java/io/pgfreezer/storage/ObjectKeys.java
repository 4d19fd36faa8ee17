package io.pgfreezer.storage;

import java.util.Comparator;

/**
 * Rules every backend applies to keys, so a key that works on a local directory also works on S3
 * and the other way round. Keys are built by pg-freezer itself; a key that breaks these rules is
 * a bug or a hostile configuration value, and is refused before it reaches the file system.
 */
public final class ObjectKeys {

    /** S3's listing order: UTF-8 byte order, which is Unicode code point order. */
    public static final Comparator<String> ORDER = ObjectKeys::compareCodePoints;

    private ObjectKeys() {
    }

    /** A key names one object: relative, '/'-separated, no empty, '.' or '..' segments. */
    static String requireValidKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new StorageException("invalid object key: the key is empty");
        }
        if (key.endsWith("/")) {
            throw new StorageException("invalid object key '" + key + "': it ends with '/'");
        }
        requireSafeSegments(key, key);
        return key;
    }

    /** A prefix may be empty or end with '/' or stop mid-segment; it must not climb out. */
    static String requireValidPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        String segments = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        requireSafeSegments(prefix, segments);
        return prefix;
    }

    private static void requireSafeSegments(String original, String path) {
        if (path.startsWith("/")) {
            throw new StorageException("invalid object key '" + original + "': it starts with '/'");
        }
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            throw new StorageException("invalid object key '" + original
                    + "': it contains a backslash or NUL character");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new StorageException("invalid object key '" + original
                        + "': empty, '.' or '..' path segments are not allowed");
            }
        }
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
