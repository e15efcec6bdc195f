package io.stompgate.broker;

/**
 * Receives the node's broadcast and user deliveries: one call per message that
 * reached this node, whatever the number of local subscribers, so the node fans
 * it out itself. Called from broker threads; implementations must not block.
 */
public interface DeliveryListener {

    /** A message published to topic {@code key}; the node matches it against its subscriptions. */
    void onTopicMessage(String key, BrokerMessage message);

    /** A message for queue {@code queue} of {@code user}. */
    void onUserMessage(String user, String queue, BrokerMessage message);

    /**
     * A message published to topic {@code key} under history, at {@code offset} of the
     * history (the same on every node). Called in offset order; a topic under history
     * reaches the node this way only, never through {@link #onTopicMessage}. A listener
     * that has no use for offsets takes it as any topic message.
     */
    default void onHistoryMessage(String key, long offset, BrokerMessage message) {
        onTopicMessage(key, message);
    }
}
