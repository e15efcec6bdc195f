package io.stompgate.bench.loadtool;

import java.util.function.Consumer;

/**
 * The amqp-latency consumer's acks, batched as the gateway acks its node queue (NodeQueueConsumer in
 * src/main): one cumulative ack ({@code multiple=true}) every {@code every} deliveries, and whatever a
 * quiet queue still holds unacked after {@code lingerMs} from the first delivery of a batch. At 1,000
 * msg/s with the gateway's prefetch of 1,000 ({@code every} = prefetch / 2 = 500) the linger comes
 * first: about one ack per 200 ms. {@link #delivered} runs on the connection's reader thread,
 * {@link #flush} on a timer thread.
 */
final class AmqpAcks {

    /** Sends one cumulative ack of every delivery up to and including {@code deliveryTag}. */
    @FunctionalInterface
    interface Acker {
        void ackUpTo(long deliveryTag) throws Exception;
    }

    private final int every;
    private final Acker acker;
    /** Runs the flush once, {@code lingerMs} later. */
    private final Consumer<Runnable> scheduleLinger;
    private int unacked;
    private long lastTag;
    private boolean flushScheduled;
    private long acksSent;
    private long ackFailures;

    AmqpAcks(int every, Acker acker, Consumer<Runnable> scheduleLinger) {
        if (every < 1) {
            throw new IllegalArgumentException("ack every " + every);
        }
        this.every = every;
        this.acker = acker;
        this.scheduleLinger = scheduleLinger;
    }

    /** The gateway's batch: half the prefetch, at least 1. */
    static int everyFor(int prefetch) {
        return Math.max(1, prefetch / 2);
    }

    void delivered(long deliveryTag) {
        boolean schedule;
        synchronized (this) {
            lastTag = deliveryTag;
            if (++unacked >= every) {
                ackNow();
                return;
            }
            schedule = !flushScheduled;
            flushScheduled = true;
        }
        if (schedule) {
            scheduleLinger.accept(this::flush);
        }
    }

    /** Acks what is still unacked (the linger ran out, or the run ends). */
    synchronized void flush() {
        flushScheduled = false;
        if (unacked > 0) {
            ackNow();
        }
    }

    private void ackNow() {
        unacked = 0;
        try {
            acker.ackUpTo(lastTag);
            acksSent++;
        } catch (Exception e) {
            ackFailures++;
        }
    }

    synchronized long acksSent() {
        return acksSent;
    }

    synchronized long ackFailures() {
        return ackFailures;
    }

    synchronized int unacked() {
        return unacked;
    }
}
