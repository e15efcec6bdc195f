package io.stompgate.archfixtures.presence;

import io.stompgate.archfixtures.broker.rabbitmq.RabbitBroker;

/** Breaks the presence rule: a broker implementation instead of the SPI. */
public final class UsesRabbitBroker {

    private final RabbitBroker broker = new RabbitBroker();

    @Override
    public String toString() {
        return broker.toString();
    }
}
