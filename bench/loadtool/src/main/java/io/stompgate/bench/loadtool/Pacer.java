package io.stompgate.bench.loadtool;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed-rate send schedule: message i (from 0) is due at {@code begin + i / rate}, and is sent
 * stamped with that scheduled time, not with the moment it actually went out. A sender that stalls
 * (a GC pause, a busy event loop, a full socket) then catches up with messages that carry their
 * original times, so the stall shows up as latency instead of being hidden: measuring from the actual
 * send time would let the sender wait out the very delays it is meant to measure (coordinated
 * omission). Catch-up goes in bursts of at most {@code maxBurst}; no message is skipped. After
 * {@link #endAt} the schedule ends there, and the messages it still owes from before the end go out
 * late rather than not at all (a stall at the end of the window counts too).
 *
 * <p>{@link #runOn} wakes when the next message is due, not on a fixed tick, so the sender's own
 * timer does not add up to a tick's worth of delay to every message. {@link #sendDue} is called from
 * one thread at a time (the executor's); the others from any.
 */
final class Pacer {

    /** Where {@link #sendDue} hands each message. */
    @FunctionalInterface
    interface Send {
        /**
         * @param seq the message's number, from 1
         * @param scheduledNanos its scheduled send time (System.nanoTime clock): what it carries
         * @param last whether it is the last of this call's burst (the one to flush)
         */
        void send(long seq, long scheduledNanos, boolean last);
    }

    private final long beginNanos;
    private final double intervalNanos;
    private final long maxBurst;
    private final AtomicLong sent = new AtomicLong();
    /** How many messages the schedule holds in all: unbounded until {@link #endAt}. */
    private volatile long total = Long.MAX_VALUE;
    private volatile boolean cancelled;
    private volatile Future<?> nextWake;

    Pacer(long beginNanos, double ratePerSecond, long maxBurst) {
        if (!(ratePerSecond > 0) || maxBurst < 1) {
            throw new IllegalArgumentException("rate " + ratePerSecond + ", burst " + maxBurst);
        }
        this.beginNanos = beginNanos;
        this.intervalNanos = 1e9 / ratePerSecond;
        this.maxBurst = maxBurst;
    }

    /** The time message {@code i} (from 0) is scheduled for. */
    long scheduledNanos(long i) {
        return beginNanos + (long) (i * intervalNanos);
    }

    /** How many messages are scheduled at or before {@code nowNanos} (and before the end, if set). */
    long dueBy(long nowNanos) {
        return Math.min(scheduledBy(nowNanos), total);
    }

    private long scheduledBy(long nowNanos) {
        if (nowNanos < beginNanos) {
            return 0;
        }
        long n = (long) ((nowNanos - beginNanos) / intervalNanos) + 1;
        // Settle the floating-point edge so that message i is due exactly when scheduledNanos(i) <= now.
        while (n > 0 && scheduledNanos(n - 1) > nowNanos) {
            n--;
        }
        while (scheduledNanos(n) <= nowNanos) {
            n++;
        }
        return n;
    }

    /** Sends the messages due by {@code nowNanos} that are not sent yet, at most {@code maxBurst}. */
    int sendDue(long nowNanos, Send send) {
        long next = sent.get();
        long due = Math.min(dueBy(nowNanos) - next, maxBurst);
        for (long k = 0; k < due; k++) {
            long i = next + k;
            sent.set(i + 1);
            send.send(i + 1, scheduledNanos(i), k == due - 1);
        }
        return (int) Math.max(0, due);
    }

    /**
     * Sends on {@code executor} (a single thread, e.g. the connection's event loop): wakes at each
     * message's due time, sends what is due, until the schedule is {@link #finished} or
     * {@link #cancel}led (or the executor shuts down).
     */
    void runOn(ScheduledExecutorService executor, Send send) {
        executor.execute(() -> wake(executor, send));
    }

    private void wake(ScheduledExecutorService executor, Send send) {
        if (cancelled) {
            return;
        }
        sendDue(System.nanoTime(), send);
        if (finished() || cancelled) {
            return;
        }
        // Due now (a backlog beyond the burst) or later: either way, the next message's time.
        long delay = Math.max(0, scheduledNanos(sent.get()) - System.nanoTime());
        try {
            nextWake = executor.schedule(() -> wake(executor, send), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            cancelled = true; // the executor is shutting down
        }
    }

    /** Stops {@link #runOn} at once, whatever the schedule still owes. */
    void cancel() {
        cancelled = true;
        Future<?> f = nextWake;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Ends the schedule: messages scheduled at or after {@code endNanos} are never due. */
    void endAt(long endNanos) {
        total = scheduledBy(endNanos - 1);
    }

    /** Whether the schedule has ended and every message in it has been sent. */
    boolean finished() {
        return sent.get() >= total;
    }

    /** How many messages have been handed to {@link Send} so far. */
    long sent() {
        return sent.get();
    }
}
