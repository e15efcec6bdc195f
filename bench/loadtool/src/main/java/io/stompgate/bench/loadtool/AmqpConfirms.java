package io.stompgate.bench.loadtool;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

/**
 * Publisher confirms of the amqp-latency publisher: every publish is kept by its channel sequence
 * number (with its scheduled send time) until RabbitMQ confirms (basic.ack) or refuses (basic.nack)
 * it, one at a time or all up to a number ({@code multiple}). Counts both and records each confirm's
 * time from the message's scheduled send time, for messages scheduled inside the window. Called from
 * the publishing thread and the connection's reader thread.
 */
final class AmqpConfirms {

    private final NavigableMap<Long, Long> unconfirmed = new TreeMap<>();
    private final Histogram confirmUs;
    private long acked;
    private long nacked;
    private long unknown;
    private volatile long windowStartNanos = Long.MAX_VALUE;
    private volatile long windowEndNanos = Long.MAX_VALUE;

    AmqpConfirms(Histogram confirmUs) {
        this.confirmUs = confirmUs;
    }

    void window(long startNanos, long endNanos) {
        windowStartNanos = startNanos;
        windowEndNanos = endNanos;
    }

    /** Publish number {@code seq} (the channel's next publish sequence number) went out. */
    synchronized void published(long seq, long scheduledNanos) {
        unconfirmed.put(seq, scheduledNanos);
    }

    /** A basic.ack ({@code ack}) or basic.nack; returns how many publishes it settled. */
    int settle(long seq, boolean multiple, boolean ack) {
        return settle(seq, multiple, ack, System.nanoTime());
    }

    synchronized int settle(long seq, boolean multiple, boolean ack, long nowNanos) {
        int n = 0;
        if (multiple) {
            Map<Long, Long> head = unconfirmed.headMap(seq, true);
            for (long scheduled : head.values()) {
                settled(scheduled, ack, nowNanos);
                n++;
            }
            head.clear();
        } else {
            Long scheduled = unconfirmed.remove(seq);
            if (scheduled != null) {
                settled(scheduled, ack, nowNanos);
                n++;
            }
        }
        if (n == 0) {
            unknown++; // a confirm for nothing outstanding: counted, so that a mix-up shows
        }
        return n;
    }

    private void settled(long scheduledNanos, boolean ack, long nowNanos) {
        if (ack) {
            acked++;
            if (scheduledNanos >= windowStartNanos && scheduledNanos < windowEndNanos) {
                Result.recordMicros(confirmUs, nowNanos - scheduledNanos);
            }
        } else {
            nacked++;
        }
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long nacked() {
        return nacked;
    }

    synchronized long unconfirmed() {
        return unconfirmed.size();
    }

    synchronized long unknown() {
        return unknown;
    }
}
