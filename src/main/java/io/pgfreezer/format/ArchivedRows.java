package io.pgfreezer.format;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The rows a window's archive already holds, as a multiset of row digests: each row is the first
 * 128 bits of SHA-256 over its tuple in {@code COPY ... (FORMAT binary)} form (field count, then
 * each field's length and bytes), the same bytes {@link ValueDigest} proves. A row PostgreSQL sends
 * that matches an entry not yet {@link #take taken} is one the archive holds already; every entry
 * can be taken once, so a row that appears twice needs two archived copies to be skipped twice.
 *
 * <p>Memory is 16 bytes per archived row plus one bit, in two primitive arrays: no object per
 * row. The capacity is fixed when the set is created; {@link #add} beyond it throws
 * {@link CapacityExceededException}, so a window too large for the heap fails its batch instead of
 * the process. Not thread-safe.
 */
public final class ArchivedRows {
    /** Bytes each archived row costs in memory (two longs; the taken bit is rounded off). */
    public static final int BYTES_PER_ROW = 16;

    private final MessageDigest sha = ValueDigest.sha256();
    private final byte[] hash = new byte[32];
    private final long capacity;
    private long[] keys = new long[0];
    private long[] taken = new long[0];
    private int size;
    private boolean sealed;

    /** A set that holds at most {@code capacity} rows. */
    public ArchivedRows(long capacity) {
        this.capacity = capacity;
    }

    /** At most the rows that a quarter of the heap this JVM may grow to can hold. */
    public static ArchivedRows forHeap() {
        return new ArchivedRows(Math.min(Integer.MAX_VALUE / 2 - 8, Runtime.getRuntime().maxMemory() / 4 / BYTES_PER_ROW));
    }

    public long capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Makes room for {@code more} rows at once, so a file's rows cost one copy of the arrays, not many. */
    public void reserve(long more) {
        if (size + more > capacity) {
            throw new CapacityExceededException(size + more, capacity);
        }
        int needed = (int) (size + more) * 2;
        if (needed > keys.length) {
            keys = Arrays.copyOf(keys, needed);
        }
    }

    /** Adds one archived row given as its tuple bytes. */
    public void add(byte[] tuple, int off, int len) {
        if (sealed) {
            throw new IllegalStateException("rows cannot be added once the set is being matched against");
        }
        if (size >= capacity) {
            throw new CapacityExceededException(size + 1L, capacity);
        }
        if (size * 2 + 2 > keys.length) {
            keys = Arrays.copyOf(keys, Math.max(16, (int) Math.min(capacity * 2, Math.max(keys.length * 2L, size * 2L + 2))));
        }
        digest(tuple, off, len);
        keys[size * 2] = high();
        keys[size * 2 + 1] = low();
        size++;
    }

    /**
     * Whether a row (its tuple bytes) matches an archived row not taken yet; if so, that archived
     * row is taken and no later row can match it.
     */
    public boolean take(byte[] tuple, int off, int len) {
        seal();
        if (size == 0) {
            return false;
        }
        digest(tuple, off, len);
        long hi = high();
        long lo = low();
        int i = lowerBound(hi, lo);
        for (; i < size && keys[i * 2] == hi && keys[i * 2 + 1] == lo; i++) {
            if ((taken[i >>> 6] & (1L << i)) == 0) {
                taken[i >>> 6] |= 1L << i;
                return true;
            }
        }
        return false;
    }

    private void seal() {
        if (!sealed) {
            sealed = true;
            keys = Arrays.copyOf(keys, size * 2);
            sortPairs();
            taken = new long[(size + 63) >>> 6];
        }
    }

    private void digest(byte[] tuple, int off, int len) {
        sha.update(tuple, off, len);
        try {
            sha.digest(hash, 0, 32);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private long high() {
        return longAt(0);
    }

    private long low() {
        return longAt(8);
    }

    private long longAt(int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (hash[at + i] & 0xff);
        }
        return v;
    }

    private int lowerBound(long hi, long lo) {
        int from = 0;
        int to = size;
        while (from < to) {
            int mid = (from + to) >>> 1;
            if (compare(mid, hi, lo) < 0) {
                from = mid + 1;
            } else {
                to = mid;
            }
        }
        return from;
    }

    private int compare(int i, long hi, long lo) {
        int c = Long.compare(keys[i * 2], hi);
        return c != 0 ? c : Long.compare(keys[i * 2 + 1], lo);
    }

    private int compare(int i, int j) {
        return compare(i, keys[j * 2], keys[j * 2 + 1]);
    }

    /**
     * Introsort over (high, low) pairs in place, so the sort needs no second copy of the keys:
     * quicksort (digests are uniform, so its middle pivot is good), heap sort for a range that
     * recursed too deep, insertion sort for short ranges.
     */
    private void sortPairs() {
        quicksort(0, size, 2 * (32 - Integer.numberOfLeadingZeros(Math.max(1, size))));
    }

    private void quicksort(int from, int to, int depth) {
        while (to - from > 16) {
            if (depth-- == 0) {
                heapSort(from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            long pivotHi = keys[mid * 2];
            long pivotLo = keys[mid * 2 + 1];
            int i = from;
            int j = to - 1;
            while (i <= j) {
                while (compare(i, pivotHi, pivotLo) < 0) {
                    i++;
                }
                while (compare(j, pivotHi, pivotLo) > 0) {
                    j--;
                }
                if (i <= j) {
                    swap(i++, j--);
                }
            }
            // Recurse into the smaller side, loop on the larger: the stack stays logarithmic.
            if (j - from < to - i) {
                quicksort(from, j + 1, depth);
                from = i;
            } else {
                quicksort(i, to, depth);
                to = j + 1;
            }
        }
        for (int i = from + 1; i < to; i++) {
            for (int k = i; k > from && compare(k - 1, k) > 0; k--) {
                swap(k - 1, k);
            }
        }
    }

    private void heapSort(int from, int to) {
        int n = to - from;
        for (int start = n / 2 - 1; start >= 0; start--) {
            siftDown(from, start, n);
        }
        for (int end = n - 1; end > 0; end--) {
            swap(from, from + end);
            siftDown(from, 0, end);
        }
    }

    private void siftDown(int base, int root, int end) {
        while (true) {
            int child = root * 2 + 1;
            if (child >= end) {
                return;
            }
            if (child + 1 < end && compare(base + child, base + child + 1) < 0) {
                child++;
            }
            if (compare(base + root, base + child) >= 0) {
                return;
            }
            swap(base + root, base + child);
            root = child;
        }
    }

    private void swap(int i, int j) {
        long hi = keys[i * 2];
        long lo = keys[i * 2 + 1];
        keys[i * 2] = keys[j * 2];
        keys[i * 2 + 1] = keys[j * 2 + 1];
        keys[j * 2] = hi;
        keys[j * 2 + 1] = lo;
    }

    /** The window's archive holds more rows than the set may keep in memory. */
    public static final class CapacityExceededException extends FormatException {
        private static final long serialVersionUID = 1L;
        private final long needed;
        private final long capacity;

        CapacityExceededException(long needed, long capacity) {
            super("the window's archive holds at least " + needed + " rows, more than the " + capacity
                    + " whose digests fit in a quarter of the heap");
            this.needed = needed;
            this.capacity = capacity;
        }

        public long needed() {
            return needed;
        }

        public long capacity() {
            return capacity;
        }
    }
}
