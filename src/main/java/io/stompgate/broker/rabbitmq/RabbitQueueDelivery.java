package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.QueueDelivery;
import java.util.concurrent.atomic.AtomicBoolean;

/** A delivery from a {@code /queue} consumer; settled once, on the broker's io thread. */
final class RabbitQueueDelivery implements QueueDelivery {

    /** Acknowledges ({@code ack}) or rejects the delivery at the broker. */
    @FunctionalInterface
    interface Settler {
        void settle(boolean ack, boolean requeue);
    }

    private final BrokerMessage message;
    private final boolean redelivered;
    private final Settler settler;
    private final AtomicBoolean settled = new AtomicBoolean();

    RabbitQueueDelivery(BrokerMessage message, boolean redelivered, Settler settler) {
        this.message = message;
        this.redelivered = redelivered;
        this.settler = settler;
    }

    @Override
    public BrokerMessage message() {
        return message;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    @Override
    public void ack() {
        if (settled.compareAndSet(false, true)) {
            settler.settle(true, false);
        }
    }

    @Override
    public void reject(boolean requeue) {
        if (settled.compareAndSet(false, true)) {
            settler.settle(false, requeue);
        }
    }
}
