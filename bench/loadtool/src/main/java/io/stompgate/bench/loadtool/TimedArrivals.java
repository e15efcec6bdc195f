package io.stompgate.bench.loadtool;

import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Histogram;

/**
 * Arrivals of messages whose body starts with their send time ({@link Stomp#timestampedBody}): the
 * latency of those sent inside the measured window, and how many arrived in all and from the window.
 */
final class TimedArrivals {

    private final Histogram latencyUs;
    private final LongAdder receivedWindow = new LongAdder();
    private final LongAdder receivedTotal = new LongAdder();

    TimedArrivals(Result result) {
        this.latencyUs = result.hist("latency_us");
    }

    /** One arrival; the window is [{@code windowStartNanos}, {@code windowEndNanos}) of send times. */
    void arrived(ByteBuf buf, int bodyStart, int bodyEnd, long windowStartNanos, long windowEndNanos) {
        long now = System.nanoTime();
        long sent = Stomp.leadingNumber(buf, bodyStart, bodyEnd);
        receivedTotal.increment();
        if (sent >= windowStartNanos && sent < windowEndNanos) {
            Result.recordMicros(latencyUs, now - sent);
            receivedWindow.increment();
        }
    }

    void collect(Result result) {
        result.count("received_window", receivedWindow.sum());
        result.count("received_total", receivedTotal.sum());
    }
}
