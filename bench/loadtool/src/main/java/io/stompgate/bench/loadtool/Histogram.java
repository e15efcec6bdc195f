package io.stompgate.bench.loadtool;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A thread-safe log-linear histogram of non-negative values (the tool records microseconds):
 * exact below 1024, then 128 sub-buckets per power of two (under 1% relative error), up to 2^50.
 * Percentiles use the nearest-rank definition: the smallest recorded value (to bucket precision)
 * such that at least p% of all values are at or below it. Histograms merge (for forked shards) and
 * travel as a compact string ({@code index:count,...}).
 */
final class Histogram {

    private static final int LINEAR = 1024;
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXP = 50;
    static final int BUCKETS = LINEAR + (MAX_EXP - 10 + 1) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong(-1);
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong sum = new AtomicLong();

    static int index(long v) {
        if (v < LINEAR) {
            return (int) Math.max(0, v);
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // >= 10
        if (exp > MAX_EXP) {
            return BUCKETS - 1;
        }
        int sub = (int) ((v >>> (exp - SUB_BITS)) & (SUB - 1));
        return LINEAR + (exp - 10) * SUB + sub;
    }

    /** The lowest value that falls into bucket {@code i}. */
    static long lowest(int i) {
        if (i < LINEAR) {
            return i;
        }
        int exp = (i - LINEAR) / SUB + 10;
        int sub = (i - LINEAR) % SUB;
        return (1L << exp) | ((long) sub << (exp - SUB_BITS));
    }

    /** The highest value that falls into bucket {@code i}. */
    static long highest(int i) {
        if (i < LINEAR) {
            return i;
        }
        int exp = (i - LINEAR) / SUB + 10;
        return lowest(i) + (1L << (exp - SUB_BITS)) - 1;
    }

    void record(long v) {
        if (v < 0) {
            v = 0;
        }
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        sum.addAndGet(v);
        long m;
        while (v > (m = max.get()) && !max.compareAndSet(m, v)) {
            // retry
        }
        while (v < (m = min.get()) && !min.compareAndSet(m, v)) {
            // retry
        }
    }

    long count() {
        return total.get();
    }

    long max() {
        return Math.max(0, max.get());
    }

    long min() {
        long m = min.get();
        return m == Long.MAX_VALUE ? 0 : m;
    }

    double mean() {
        long n = total.get();
        return n == 0 ? 0 : (double) sum.get() / n;
    }

    /**
     * Nearest-rank percentile, {@code p} in (0, 100]. Within a wide bucket the answer is the
     * bucket's highest value, clamped to the recorded maximum (so it never understates).
     */
    long percentile(double p) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p / 100.0 * n);
        rank = Math.max(1, Math.min(n, rank));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(highest(i), max());
            }
        }
        return max();
    }

    void merge(Histogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            long c = other.counts.get(i);
            if (c != 0) {
                counts.addAndGet(i, c);
            }
        }
        total.addAndGet(other.total.get());
        sum.addAndGet(other.sum.get());
        long m;
        long om = other.max.get();
        while (om > (m = max.get()) && !max.compareAndSet(m, om)) {
            // retry
        }
        long on = other.min.get();
        while (on < (m = min.get()) && !min.compareAndSet(m, on)) {
            // retry
        }
    }

    /** {@code max;min;sum;index:count,index:count...} (only non-empty buckets). */
    String encode() {
        StringBuilder sb = new StringBuilder();
        sb.append(max.get()).append(';').append(min.get()).append(';').append(sum.get()).append(';');
        boolean first = true;
        for (int i = 0; i < BUCKETS; i++) {
            long c = counts.get(i);
            if (c != 0) {
                if (!first) {
                    sb.append(',');
                }
                sb.append(i).append(':').append(c);
                first = false;
            }
        }
        return sb.toString();
    }

    static Histogram decode(String s) {
        Histogram h = new Histogram();
        String[] parts = s.split(";", 4);
        h.max.set(Long.parseLong(parts[0]));
        h.min.set(Long.parseLong(parts[1]));
        h.sum.set(Long.parseLong(parts[2]));
        long n = 0;
        if (parts.length > 3 && !parts[3].isEmpty()) {
            for (String e : parts[3].split(",")) {
                int c = e.indexOf(':');
                long cnt = Long.parseLong(e.substring(c + 1));
                h.counts.addAndGet(Integer.parseInt(e.substring(0, c)), cnt);
                n += cnt;
            }
        }
        h.total.set(n);
        return h;
    }
}
