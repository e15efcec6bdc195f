package io.stompgate.broker;

/**
 * One message taken from a shared queue for one consumer. It stays owned by that
 * consumer until acknowledged or rejected; if the consumer is cancelled first,
 * the broker gives it back to the queue. Acknowledging after the consumer is gone
 * does nothing.
 */
public interface QueueDelivery {

    BrokerMessage message();

    /** Whether the queue delivered this message before and it was not acknowledged. */
    boolean redelivered();

    void ack();

    /** Gives the message back to the queue ({@code requeue}) or drops it. */
    void reject(boolean requeue);
}
