package io.stompgate.broker;

/** Receives the deliveries of one queue consumer, from broker threads, without blocking. */
@FunctionalInterface
public interface QueueListener {

    void onDelivery(QueueDelivery delivery);
}
