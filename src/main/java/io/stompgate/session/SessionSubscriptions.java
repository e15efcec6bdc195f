package io.stompgate.session;

import io.stompgate.broker.Address;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A session's subscriptions by id, its subscriptions to its own user queues by
 * queue name, and the message ids it has issued, with the acknowledgement rules
 * of STOMP (an ACK names a message this session was sent). Safe to read from the
 * broker threads that deliver while the frame handler subscribes and unsubscribes.
 */
final class SessionSubscriptions {

    static final String PREFETCH_COUNT = "prefetch-count";

    private final String sessionId;
    private final Map<String, Subscription> byId = new ConcurrentHashMap<>(2);
    private final Map<String, List<Subscription>> userQueues = new ConcurrentHashMap<>(2);
    private final AtomicLong messageSeq = new AtomicLong();

    SessionSubscriptions(String sessionId) {
        this.sessionId = sessionId;
    }

    int size() {
        return byId.size();
    }

    boolean contains(String subscriptionId) {
        return byId.containsKey(subscriptionId);
    }

    Subscription get(String subscriptionId) {
        return byId.get(subscriptionId);
    }

    /** Every subscription now, for closing. */
    List<Subscription> snapshot() {
        return List.copyOf(byId.values());
    }

    /** Adds {@code sub}; a user-queue subscription starts taking that queue's messages at once. */
    void add(Subscription sub) {
        byId.put(sub.id(), sub);
        if (sub.address() instanceof Address.User user) {
            userQueues.computeIfAbsent(user.queue(), q -> new CopyOnWriteArrayList<>()).add(sub);
        }
    }

    /** Removes {@code sub} by id; false if it was not there (already removed). */
    boolean remove(Subscription sub) {
        return byId.remove(sub.id(), sub);
    }

    /** Stops {@code sub} taking its user queue's messages; idempotent. */
    void leaveUserQueue(Subscription sub, String queue) {
        List<Subscription> subs = userQueues.get(queue);
        if (subs != null) {
            subs.remove(sub);
            if (subs.isEmpty()) {
                userQueues.remove(queue, subs);
            }
        }
    }

    /** The subscriptions to user queue {@code queue}; empty if none. */
    List<Subscription> ofUserQueue(String queue) {
        List<Subscription> subs = userQueues.get(queue);
        return subs == null ? List.of() : subs;
    }

    void clearUserQueues() {
        userQueues.clear();
    }

    /** A message id unique in this node: the session id and a sequence number. */
    String nextMessageId() {
        return sessionId + "-" + messageSeq.incrementAndGet();
    }

    /**
     * Settles the delivery acknowledged as {@code ackId}.
     *
     * @throws StompProtocolException when {@code ackId} is no message this session was sent
     */
    void settle(String ackId, boolean nack, String command) {
        for (Subscription sub : byId.values()) {
            if (sub.settle(ackId, nack)) {
                return;
            }
        }
        if (!issuedHere(ackId)) {
            throw new StompProtocolException(ErrorReason.PROTOCOL,
                    command + " for unknown message '" + Destinations.abbreviate(ackId) + "'");
        }
        // A message of this session that needs no acknowledgement (a topic message) or is already settled.
    }

    private boolean issuedHere(String messageId) {
        String prefix = sessionId + "-";
        if (!messageId.startsWith(prefix)) {
            return false;
        }
        try {
            long n = Long.parseLong(messageId.substring(prefix.length()));
            return n > 0 && n <= messageSeq.get();
        }
        catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The {@code prefetch-count} of a SUBSCRIBE to a shared queue: unacknowledged messages
     * the broker hands this subscription at once, at most {@code max}.
     */
    static int prefetch(String header, int defaultPrefetch, int max) {
        if (header == null) {
            return defaultPrefetch;
        }
        try {
            int n = Integer.parseInt(header.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return Math.min(n, max);
        }
        catch (NumberFormatException e) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, PREFETCH_COUNT + " must be a positive integer");
        }
    }
}
