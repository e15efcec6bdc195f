package io.stompgate.session;

import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * A session's bounded outbound queue: many producers (broker threads fanning
 * out, the session's own event loop), one consumer (the WebSocket writer, which
 * requests only as fast as the socket drains). When it is full the session is a
 * slow consumer; the queue never blocks a producer and never grows past its
 * capacity. An idle queue holds one empty node, not a preallocated array.
 *
 * <p>{@link #finish} ends it: either after what is queued (a graceful close) or
 * instead of it (a slow consumer, whose backlog is dropped), with an optional
 * last frame such as an ERROR.
 */
final class OutboundQueue implements Publisher<OutboundItem> {

    /** The result of {@link #offer}. */
    enum Offer { ACCEPTED, FULL, CLOSED }

    private final Queue<OutboundItem> queue = Queues.<OutboundItem>unboundedMultiproducer().get();
    private final int capacity;
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();

    private volatile boolean finished;
    private volatile boolean discardBacklog;
    private volatile OutboundItem lastItem;
    private volatile boolean cancelled;
    private volatile Subscriber<? super OutboundItem> actual;
    private volatile Executor drainExecutor;
    private final Runnable drainLoop = this::drainNow;
    /** Touched only inside the drain loop. */
    private boolean lastItemSent;
    private boolean completed;

    OutboundQueue(int capacity) {
        this.capacity = capacity;
    }

    Offer offer(OutboundItem item) {
        if (finished) {
            return Offer.CLOSED;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return Offer.FULL;
        }
        queue.offer(item);
        drain();
        return Offer.ACCEPTED;
    }

    /** Items waiting to be taken by the writer. */
    int size() {
        return size.get();
    }

    /**
     * Accepts nothing more; sends {@code last} (may be null) after the backlog, or
     * instead of it when {@code dropBacklog}; then completes. Idempotent: the first
     * call decides.
     */
    synchronized void finish(OutboundItem last, boolean dropBacklog) {
        if (finished) {
            return;
        }
        this.lastItem = last;
        this.discardBacklog = dropBacklog;
        this.finished = true;
        drain();
    }

    @Override
    public void subscribe(Subscriber<? super OutboundItem> subscriber) {
        synchronized (this) {
            if (actual != null) {
                Operators.error(subscriber, new IllegalStateException("an outbound queue has one subscriber"));
                return;
            }
            actual = subscriber;
        }
        subscriber.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (Operators.validate(n)) {
                    requested.getAndUpdate(r -> Operators.addCap(r, n));
                    drain();
                }
            }

            @Override
            public void cancel() {
                cancelled = true;
                drain();
            }
        });
        drain();
    }

    /**
     * Runs the drain loop, and with it every call into the subscriber, on {@code executor}
     * (the connection's event loop) instead of on whichever thread offered an item. Set
     * before subscribing.
     */
    void drainOn(Executor executor) {
        this.drainExecutor = executor;
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        Executor executor = drainExecutor;
        if (executor != null) {
            try {
                executor.execute(drainLoop);
                return;
            }
            catch (RejectedExecutionException e) {
                // The connection's loop is shutting down: drain here, the subscriber copes.
            }
        }
        drainNow();
    }

    private void drainNow() {
        int missed = 1;
        for (;;) {
            Subscriber<? super OutboundItem> a = actual;
            if (a != null) {
                if (cancelled || completed) {
                    discardAll();
                }
                else {
                    drainTo(a);
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void drainTo(Subscriber<? super OutboundItem> a) {
        long r = requested.get();
        long e = 0;
        while (!cancelled) {
            if (finished && discardBacklog) {
                discardAll();
            }
            boolean end = finished;
            if (e == r) {
                if (end && queue.isEmpty() && (lastItem == null || lastItemSent)) {
                    complete(a);
                }
                break;
            }
            OutboundItem item = queue.poll();
            if (item != null) {
                size.decrementAndGet();
                a.onNext(item);
                e++;
                continue;
            }
            if (end) {
                OutboundItem last = lastItem;
                if (last != null && !lastItemSent) {
                    lastItemSent = true;
                    a.onNext(last);
                    e++;
                    continue;
                }
                complete(a);
            }
            break;
        }
        if (e != 0 && r != Long.MAX_VALUE) {
            requested.addAndGet(-e);
        }
    }

    private void complete(Subscriber<? super OutboundItem> a) {
        if (!completed) {
            completed = true;
            a.onComplete();
        }
    }

    private void discardAll() {
        while (queue.poll() != null) {
            size.decrementAndGet();
        }
    }
}
