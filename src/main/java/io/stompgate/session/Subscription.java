package io.stompgate.session;

import io.stompgate.broker.Address;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueDelivery;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SUBSCRIBE of one session. For {@code /queue} subscriptions it also owns the
 * broker consumer and the deliveries the client has not acknowledged yet, in
 * delivery order so that a {@code client} (cumulative) ACK can settle every
 * earlier one.
 */
final class Subscription {

    private final StompSession session;
    private final String id;
    private final String destination;
    private final Address address;
    private final AckMode ackMode;

    private final Map<String, QueueDelivery> unacknowledged = new LinkedHashMap<>();
    private QueueConsumer consumer;
    private boolean cancelled;
    /** What ends this subscription's part in presence (a counted topic subscription, a watch); null if none. */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> presence =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** A topic subscription reading the history before it is live; null for the others. */
    private volatile HistoryReplay replay;

    Subscription(StompSession session, String id, String destination, Address address, AckMode ackMode) {
        this.session = session;
        this.id = id;
        this.destination = destination;
        this.address = address;
        this.ackMode = ackMode;
    }

    StompSession session() {
        return session;
    }

    String id() {
        return id;
    }

    String destination() {
        return destination;
    }

    Address address() {
        return address;
    }

    AckMode ackMode() {
        return ackMode;
    }

    HistoryReplay replay() {
        return replay;
    }

    void replay(HistoryReplay historyReplay) {
        this.replay = historyReplay;
    }

    /** Sets what ends this subscription's part in presence. */
    void presence(Runnable release) {
        presence.set(release);
    }

    /** Ends this subscription's part in presence, once however often it is called. */
    void leavePresence() {
        Runnable release = presence.getAndSet(null);
        if (release != null) {
            release.run();
        }
    }

    /** Attaches the broker consumer; if the subscription ended meanwhile, cancels it instead. */
    synchronized boolean attach(QueueConsumer queueConsumer) {
        if (cancelled) {
            return false;
        }
        this.consumer = queueConsumer;
        return true;
    }

    /** Tracks a delivery the client must acknowledge; false if the subscription has ended. */
    synchronized boolean awaitAck(String ackId, QueueDelivery delivery) {
        if (cancelled) {
            return false;
        }
        unacknowledged.put(ackId, delivery);
        return true;
    }

    /**
     * Settles the delivery {@code ackId} (and, in {@code client} mode, every earlier
     * one): acknowledges, or with {@code nack} gives it back to the queue.
     *
     * @return whether {@code ackId} was awaiting acknowledgement
     */
    boolean settle(String ackId, boolean nack) {
        List<QueueDelivery> settled = new ArrayList<>();
        synchronized (this) {
            if (!unacknowledged.containsKey(ackId)) {
                return false;
            }
            if (ackMode == AckMode.CLIENT) {
                Iterator<Map.Entry<String, QueueDelivery>> it = unacknowledged.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<String, QueueDelivery> entry = it.next();
                    settled.add(entry.getValue());
                    it.remove();
                    if (entry.getKey().equals(ackId)) {
                        break;
                    }
                }
            }
            else {
                settled.add(unacknowledged.remove(ackId));
            }
        }
        for (QueueDelivery delivery : settled) {
            if (nack) {
                delivery.reject(true);
            }
            else {
                delivery.ack();
            }
        }
        return true;
    }

    /**
     * Ends the subscription. Returns the broker consumer to cancel (or null if
     * there is none); cancelling it gives every delivery not yet acknowledged back
     * to the queue, so nothing is rejected here one by one (which would let the
     * broker hand the messages straight back to the consumer being cancelled).
     */
    synchronized QueueConsumer cancel() {
        if (cancelled) {
            return null;
        }
        cancelled = true;
        unacknowledged.clear();
        QueueConsumer c = consumer;
        consumer = null;
        return c;
    }

    synchronized boolean isCancelled() {
        return cancelled;
    }

    @Override
    public String toString() {
        return "Subscription[" + id + " -> " + destination + "]";
    }
}
