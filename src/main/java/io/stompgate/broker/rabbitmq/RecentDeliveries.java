package io.stompgate.broker.rabbitmq;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the node delivered lately, as 64-bit fingerprints, so that a copy is not
 * delivered again (docs/protocol.md §5.2): a SEND republished after a lost publisher
 * confirm reaches the node a second time with the same {@code message_id}, and what
 * the node had taken but not yet acknowledged when its connection dropped comes back
 * redelivered.
 *
 * <p>Bounded: two generations of an open-addressing table of {@code long}s. When the
 * current one holds {@code generationSize} fingerprints it becomes the previous one and
 * the oldest generation is dropped, so the node remembers between {@code generationSize}
 * and twice that many of its latest deliveries, in {@code 32 × generationSize} bytes.
 * A copy that arrives after more deliveries than that is delivered again; a false
 * match (two messages with one fingerprint) has a chance near 2<sup>-64</sup> per pair.
 */
final class RecentDeliveries {

    /** The default generation: 131,072 fingerprints, 4 MiB for both tables. */
    static final int DEFAULT_GENERATION_SIZE = 1 << 17;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int generationSize;
    private long[] current;
    private long[] previous;
    private int currentCount;

    RecentDeliveries(int generationSize) {
        if (Integer.bitCount(generationSize) != 1 || generationSize < 16) {
            throw new IllegalArgumentException("generationSize must be a power of two >= 16");
        }
        this.generationSize = generationSize;
        this.current = new long[generationSize * 2]; // at most half full: short probe runs
        this.previous = new long[generationSize * 2];
    }

    /** Records {@code fingerprint}; false if it was already there (a copy). */
    synchronized boolean firstTime(long fingerprint) {
        long key = fingerprint == 0 ? 1 : fingerprint; // 0 marks an empty slot
        if (contains(previous, key) || contains(current, key)) {
            return false;
        }
        add(key);
        return true;
    }

    /** Records {@code fingerprint} without asking whether it is a copy. */
    synchronized void record(long fingerprint) {
        long key = fingerprint == 0 ? 1 : fingerprint;
        if (!contains(current, key)) {
            add(key);
        }
    }

    /** Whether {@code fingerprint} was recorded lately. */
    synchronized boolean contains(long fingerprint) {
        long key = fingerprint == 0 ? 1 : fingerprint;
        return contains(previous, key) || contains(current, key);
    }

    private void add(long key) {
        if (currentCount == generationSize) {
            long[] recycled = previous;
            previous = current;
            Arrays.fill(recycled, 0L);
            current = recycled;
            currentCount = 0;
        }
        int mask = current.length - 1;
        int i = spread(key) & mask;
        while (current[i] != 0) {
            i = (i + 1) & mask;
        }
        current[i] = key;
        currentCount++;
    }

    private static boolean contains(long[] table, long key) {
        int mask = table.length - 1;
        int i = spread(key) & mask;
        while (table[i] != 0) {
            if (table[i] == key) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    private static int spread(long key) {
        return (int) (key ^ (key >>> 32)) * 0x9E3779B9;
    }

    /** The fingerprint of a message id. */
    static long ofMessageId(String messageId) {
        return fnv(FNV_OFFSET, messageId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The fingerprint of a message without a gateway message id: where it was routed, its
     * own message id if it has one, and its body.
     */
    static long ofContent(String exchange, String routingKey, String messageId, byte[] body) {
        long h = fnv(FNV_OFFSET, exchange.getBytes(StandardCharsets.UTF_8));
        h = fnv(h, routingKey.getBytes(StandardCharsets.UTF_8));
        if (messageId != null) {
            h = fnv(h, messageId.getBytes(StandardCharsets.UTF_8));
        }
        return fnv(h, body);
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h * FNV_PRIME; // a separator, so that ("ab","c") and ("a","bc") differ
    }
}
