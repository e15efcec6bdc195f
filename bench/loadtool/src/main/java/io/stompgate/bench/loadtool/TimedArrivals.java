package io.stompgate.bench.loadtool;

import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Histogram;

/**
 * Arrivals of messages whose body starts with their scheduled send time ({@link Stomp#timestampedBody},
 * stamped by a {@link Pacer}): the latency of those scheduled inside the measured window, counted from
 * that time (so a sender's stall counts too), and how many arrived in all and from the window.
 */
final class TimedArrivals {

    private final Histogram latencyUs;
    private final LongAdder receivedWindow = new LongAdder();
    private final LongAdder receivedTotal = new LongAdder();

    TimedArrivals(Result result) {
        this.latencyUs = result.hist("latency_us");
    }

    /** One arrival now; the window is [{@code windowStartNanos}, {@code windowEndNanos}) of send times. */
    void arrived(ByteBuf buf, int bodyStart, int bodyEnd, long windowStartNanos, long windowEndNanos) {
        arrived(buf, bodyStart, bodyEnd, System.nanoTime(), windowStartNanos, windowEndNanos);
    }

    /** One arrival at {@code nowNanos} (System.nanoTime clock). */
    void arrived(ByteBuf buf, int bodyStart, int bodyEnd, long nowNanos, long windowStartNanos, long windowEndNanos) {
        long sent = Stomp.leadingNumber(buf, bodyStart, bodyEnd);
        receivedTotal.increment();
        if (sent >= windowStartNanos && sent < windowEndNanos) {
            Result.recordMicros(latencyUs, nowNanos - sent);
            receivedWindow.increment();
        }
    }

    void collect(Result result) {
        result.count("received_window", receivedWindow.sum());
        result.count("received_total", receivedTotal.sum());
    }
}
