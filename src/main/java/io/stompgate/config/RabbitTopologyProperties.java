package io.stompgate.config;

import io.stompgate.broker.rabbitmq.NodeQueueOptions;
import io.stompgate.broker.rabbitmq.RabbitBrokerOptions;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code gateway.rabbitmq.*}: the names of the AMQP topology (docs/protocol.md §5
 * gives the defaults), the node queue's prefetch and its lifetime, size and type.
 */
@ConfigurationProperties("gateway.rabbitmq")
public record RabbitTopologyProperties(
        @DefaultValue(RabbitBrokerOptions.TOPIC_EXCHANGE) String topicExchange,
        @DefaultValue(RabbitBrokerOptions.USER_EXCHANGE) String userExchange,
        @DefaultValue(RabbitBrokerOptions.APP_EXCHANGE) String appExchange,
        @DefaultValue(RabbitBrokerOptions.CLUSTER_EXCHANGE) String clusterExchange,
        @DefaultValue(RabbitBrokerOptions.NODE_QUEUE_PREFIX) String nodeQueuePrefix,
        @DefaultValue(RabbitBrokerOptions.QUEUE_PREFIX) String queuePrefix,
        @DefaultValue(RabbitBrokerOptions.HISTORY_STREAM) String historyStream,
        @DefaultValue("1000") int prefetch,
        @DefaultValue NodeQueue nodeQueue) {

    /**
     * {@code gateway.rabbitmq.node-queue.*}: how long the node queue outlives its node's
     * connection, how much it may hold meanwhile, and its type (docs/protocol.md §5.2).
     */
    public record NodeQueue(
            @DefaultValue("60s") Duration expires,
            @DefaultValue("64MB") DataSize maxBytes,
            @DefaultValue("classic") String type) {

        public NodeQueue {
            options(expires, maxBytes, type); // a bad value stops start-up, naming its property
        }

        NodeQueueOptions options() {
            return options(expires, maxBytes, type);
        }

        private static NodeQueueOptions options(Duration expires, DataSize maxBytes, String type) {
            return new NodeQueueOptions(expires, maxBytes.toBytes(),
                    NodeQueueOptions.Type.parse(type, "gateway.rabbitmq.node-queue.type"));
        }
    }

    public RabbitTopologyProperties {
        GatewayProperties.atLeast(prefetch, 1, "gateway.rabbitmq.prefetch");
        for (String[] named : new String[][] {{"topic-exchange", topicExchange}, {"user-exchange", userExchange},
                {"app-exchange", appExchange}, {"cluster-exchange", clusterExchange}}) {
            if (named[1] == null || named[1].isBlank() || named[1].startsWith("amq.")) {
                throw new IllegalArgumentException("gateway.rabbitmq." + named[0] + " must be a non-empty name not starting with 'amq.'");
            }
        }
    }
}
