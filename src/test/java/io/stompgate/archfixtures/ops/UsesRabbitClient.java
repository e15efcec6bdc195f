package io.stompgate.archfixtures.ops;

/** Breaks the RabbitMQ-client rule outside broker.rabbitmq (fully-qualified, no import). */
public final class UsesRabbitClient {

    public static boolean open(com.rabbitmq.client.Channel channel) {
        return channel.isOpen();
    }
}
