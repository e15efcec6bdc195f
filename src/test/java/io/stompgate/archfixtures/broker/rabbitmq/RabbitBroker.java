package io.stompgate.archfixtures.broker.rabbitmq;

import com.rabbitmq.client.Channel;

/** Allowed: the RabbitMQ client in the RabbitMQ broker. */
public final class RabbitBroker {

    public static boolean open(Channel channel) {
        return channel.isOpen();
    }
}
