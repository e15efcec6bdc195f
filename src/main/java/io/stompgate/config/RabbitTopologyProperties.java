package io.stompgate.config;

import io.stompgate.broker.rabbitmq.RabbitBrokerOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.rabbitmq.*}: the names of the AMQP topology (docs/protocol.md §5
 * gives the defaults) and the node queue's prefetch.
 */
@ConfigurationProperties("gateway.rabbitmq")
public record RabbitTopologyProperties(
        @DefaultValue(RabbitBrokerOptions.TOPIC_EXCHANGE) String topicExchange,
        @DefaultValue(RabbitBrokerOptions.USER_EXCHANGE) String userExchange,
        @DefaultValue(RabbitBrokerOptions.APP_EXCHANGE) String appExchange,
        @DefaultValue(RabbitBrokerOptions.NODE_QUEUE_PREFIX) String nodeQueuePrefix,
        @DefaultValue(RabbitBrokerOptions.QUEUE_PREFIX) String queuePrefix,
        @DefaultValue("1000") int prefetch) {

    public RabbitTopologyProperties {
        GatewayProperties.atLeast(prefetch, 1, "gateway.rabbitmq.prefetch");
        for (String[] named : new String[][] {{"topic-exchange", topicExchange}, {"user-exchange", userExchange},
                {"app-exchange", appExchange}}) {
            if (named[1] == null || named[1].isBlank() || named[1].startsWith("amq.")) {
                throw new IllegalArgumentException("gateway.rabbitmq." + named[0] + " must be a non-empty name not starting with 'amq.'");
            }
        }
    }
}
