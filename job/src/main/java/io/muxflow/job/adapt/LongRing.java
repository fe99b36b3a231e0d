package io.muxflow.job.adapt;

/**
 * A double-ended queue of longs in one circular primitive array. A sliding window at 1000 req/s
 * holds tens of thousands of samples for a minute; as boxed {@code Long}s they would be that many
 * objects for every young collection to copy, in the JVM that serves requests.
 */
final class LongRing {
    private long[] a = new long[64];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The i-th element from the oldest (0). */
    long get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i + " of " + size);
        }
        return a[(head + i) & (a.length - 1)];
    }

    long first() {
        return get(0);
    }

    long last() {
        return get(size - 1);
    }

    void addLast(long v) {
        if (size == a.length) {
            grow();
        }
        a[(head + size) & (a.length - 1)] = v;
        size++;
    }

    long removeFirst() {
        long v = first();
        head = (head + 1) & (a.length - 1);
        size--;
        return v;
    }

    /** Inserts {@code v} at position {@code i} (0 = before the oldest), shifting the later elements. */
    void insert(int i, long v) {
        if (i < 0 || i > size) {
            throw new IndexOutOfBoundsException(i + " of " + size);
        }
        addLast(0);
        for (int k = size - 1; k > i; k--) {
            a[(head + k) & (a.length - 1)] = a[(head + k - 1) & (a.length - 1)];
        }
        a[(head + i) & (a.length - 1)] = v;
    }

    private void grow() {
        long[] b = new long[a.length * 2];
        for (int i = 0; i < size; i++) {
            b[i] = a[(head + i) & (a.length - 1)];
        }
        a = b;
        head = 0;
    }
}
