package io.stompgate.broker.local;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueDelivery;
import io.stompgate.broker.QueueListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * An in-JVM queue with competing consumers, acknowledgements and redelivery:
 * each message goes to one consumer (round robin among those below their
 * prefetch), stays owned by it until acknowledged, and returns to the head of
 * the queue, marked redelivered, when rejected or when its consumer goes away.
 * Bounded: a full queue refuses new messages.
 *
 * <p>Deliveries are handed to listeners outside the lock, in a trampolined loop,
 * so a listener may acknowledge from inside its callback.
 */
final class LocalQueue {

    private final String name;
    private final int maxLength;
    private final Runnable onIdle;
    private final Deque<Entry> ready = new ArrayDeque<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final AtomicInteger wip = new AtomicInteger();
    private int next;
    /** Set once the broker has dropped this queue object; a retired queue takes nothing new. */
    private boolean retired;

    /** The result of {@link #enqueue}. */
    enum Enqueued { ACCEPTED, FULL, RETIRED }

    private record Entry(BrokerMessage message, boolean redelivered) { }

    LocalQueue(String name, int maxLength, Runnable onIdle) {
        this.name = name;
        this.maxLength = maxLength;
        this.onIdle = onIdle;
    }

    Enqueued enqueue(BrokerMessage message) {
        synchronized (this) {
            if (retired) {
                return Enqueued.RETIRED;
            }
            if (ready.size() >= maxLength) {
                return Enqueued.FULL;
            }
            ready.addLast(new Entry(message, false));
        }
        dispatch();
        return Enqueued.ACCEPTED;
    }

    /** A new consumer, or null if this queue object is retired (ask the broker for the current one). */
    QueueConsumer addConsumer(int prefetch, QueueListener listener) {
        Consumer consumer = new Consumer(prefetch, listener);
        synchronized (this) {
            if (retired) {
                return null;
            }
            consumers.add(consumer);
        }
        dispatch();
        return consumer;
    }

    /** Retires this queue object if it holds nothing; the broker then forgets it. */
    synchronized boolean retireIfIdle() {
        if (ready.isEmpty() && consumers.isEmpty()) {
            retired = true;
        }
        return retired;
    }

    synchronized int readyCount() {
        return ready.size();
    }

    synchronized int consumerCount() {
        return consumers.size();
    }

    /** Whether nothing holds this queue: no message and no consumer. */
    synchronized boolean isIdle() {
        return ready.isEmpty() && consumers.isEmpty();
    }

    private void dispatch() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            Delivery delivery;
            while ((delivery = take()) != null) {
                delivery.consumer.listener.onDelivery(delivery);
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                break;
            }
        }
        if (isIdle()) {
            onIdle.run();
        }
    }

    private synchronized Delivery take() {
        if (ready.isEmpty() || consumers.isEmpty()) {
            return null;
        }
        int n = consumers.size();
        for (int i = 0; i < n; i++) {
            Consumer c = consumers.get((next + i) % n);
            if (c.unacknowledged.size() < c.prefetch) {
                next = (next + i + 1) % n;
                Entry entry = ready.pollFirst();
                Delivery delivery = new Delivery(c, entry);
                c.unacknowledged.add(delivery);
                return delivery;
            }
        }
        return null;
    }

    private void settle(Delivery delivery, boolean requeue) {
        synchronized (this) {
            if (!delivery.consumer.unacknowledged.remove(delivery)) {
                return;
            }
            if (requeue) {
                ready.addFirst(new Entry(delivery.entry.message(), true));
            }
        }
        dispatch();
    }

    private void cancel(Consumer consumer) {
        synchronized (this) {
            if (!consumers.remove(consumer)) {
                return;
            }
            List<Delivery> pending = new ArrayList<>(consumer.unacknowledged);
            consumer.unacknowledged.clear();
            for (int i = pending.size() - 1; i >= 0; i--) {
                ready.addFirst(new Entry(pending.get(i).entry.message(), true));
            }
        }
        dispatch();
    }

    @Override
    public String toString() {
        return "LocalQueue[" + name + "]";
    }

    private final class Consumer implements QueueConsumer {
        final int prefetch;
        final QueueListener listener;
        final Set<Delivery> unacknowledged = new LinkedHashSet<>();

        Consumer(int prefetch, QueueListener listener) {
            this.prefetch = prefetch;
            this.listener = listener;
        }

        @Override
        public Mono<Void> cancel() {
            return Mono.fromRunnable(() -> LocalQueue.this.cancel(this));
        }
    }

    private final class Delivery implements QueueDelivery {
        final Consumer consumer;
        final Entry entry;

        Delivery(Consumer consumer, Entry entry) {
            this.consumer = consumer;
            this.entry = entry;
        }

        @Override
        public BrokerMessage message() {
            return entry.message();
        }

        @Override
        public boolean redelivered() {
            return entry.redelivered();
        }

        @Override
        public void ack() {
            settle(this, false);
        }

        @Override
        public void reject(boolean requeue) {
            settle(this, requeue);
        }
    }
}
