package io.stompgate.broker;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the session layer needs from a broker, at the level of one gateway node:
 * the node subscribes a topic pattern once however many local sessions want it,
 * and takes one delivery per message, which it fans out itself.
 *
 * <p>Every operation completes only when its effect is in place wherever messages
 * can come from: after {@link #bindTopic} completes, a message published on any
 * node reaches this one. Operations that need a broker that is away wait for it
 * for a bounded time, then fail with {@link BrokerException}; none is silently
 * dropped. Binding operations on the same pattern or user take effect in the
 * order their {@code Mono}s are subscribed.
 */
public interface MessageBroker {

    /** Connects and declares what the node needs; {@code listener} gets every topic and user delivery. */
    Mono<Void> start(DeliveryListener listener);

    /** Routes messages published to topics matching {@code pattern} to this node. */
    Mono<Void> bindTopic(String pattern);

    Mono<Void> unbindTopic(String pattern);

    /** Routes messages addressed to {@code user} to this node. */
    Mono<Void> bindUser(String user);

    Mono<Void> unbindUser(String user);

    /** Publishes; completes when the broker has accepted the message (a publisher confirm). */
    Mono<Void> publish(Publication publication);

    /**
     * Registers the listener of node messages of {@code kind} (published to
     * {@link Address.Nodes}); one per kind, set before {@link #start}.
     */
    void onNodeMessages(String kind, NodeMessageListener listener);

    /**
     * Starts a competing consumer on shared queue {@code queue}, with at most
     * {@code prefetch} unacknowledged deliveries; completes once it is registered.
     */
    Mono<QueueConsumer> consumeQueue(String queue, int prefetch, QueueListener listener);

    /** Which topics keep a history (docs/protocol.md §7). */
    History history();

    /**
     * Reads the history from {@code start} (not {@link HistoryStart.Next}) on, in offset order,
     * going on with what is published meanwhile, until cancelled. Fails the reader if the broker
     * is away.
     */
    HistoryRead readHistory(HistoryStart start, HistoryReader reader);

    /**
     * The longest {@code /queue/<name>} this broker can carry, in UTF-8 bytes: the session
     * layer refuses a longer one with an ERROR before anything reaches the broker.
     */
    int maxQueueNameBytes();

    /**
     * Copies of messages this node dropped rather than deliver twice (a SEND published again
     * after a lost confirm, a redelivery after a reconnect); 0 for brokers that make none.
     */
    default long copiesDropped() {
        return 0;
    }

    /** The current status, then every change. */
    Flux<BrokerStatus> status();

    /** Whether the broker is up now. */
    boolean isUp();

    /** Removes this node's queue and bindings and disconnects. Idempotent. */
    Mono<Void> stop();
}
