package io.stompgate.broker;

/**
 * Where a message goes, in the broker's terms. The session layer turns a STOMP
 * destination into one of these; each broker implementation maps them onto its
 * own routing (see the RabbitMQ topology docs/protocol.md §5.5).
 */
public sealed interface Address {

    /** A broadcast topic; {@code key} is dot-separated words, a pattern when subscribed to. */
    record Topic(String key) implements Address { }

    /** The private queue {@code queue} of every session of {@code user}. */
    record User(String user, String queue) implements Address { }

    /** A shared queue with competing consumers. */
    record Queue(String name) implements Address { }

    /** Application backends; {@code key} is dot-separated words. */
    record App(String key) implements Address { }

    /**
     * Every node of the gateway (node messages of {@code kind}), never a client: no
     * STOMP destination maps to it. Kept for at most {@code ttlMillis} by a node that is away.
     */
    record Nodes(String kind, long ttlMillis) implements Address { }
}
