package io.stompgate.config;

import io.stompgate.broker.rabbitmq.RabbitBroker;
import io.stompgate.broker.rabbitmq.RabbitBrokerOptions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Cluster mode: {@code gateway.broker=rabbitmq}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gateway.broker", havingValue = "rabbitmq")
@EnableConfigurationProperties({RabbitConnectionProperties.class, RabbitTopologyProperties.class})
public class RabbitConfiguration {

    @Bean
    RabbitBrokerOptions rabbitBrokerOptions(RabbitConnectionProperties connection, RabbitTopologyProperties topology,
            BrokerProperties broker, NodeId nodeId, HistoryProperties history) {
        RabbitBrokerOptions defaults = RabbitBrokerOptions.defaults(connection.endpoints(),
                connection.effectiveUsername(), connection.effectivePassword(), connection.effectiveVirtualHost(),
                nodeId.value());
        return new RabbitBrokerOptions(defaults.addresses(), defaults.username(), defaults.password(),
                defaults.virtualHost(), connection.requestedHeartbeat(), connection.connectionTimeout(),
                nodeId.value(), broker.operationTimeout(), topology.prefetch(), topology.topicExchange(),
                topology.userExchange(), topology.appExchange(), topology.clusterExchange(), topology.nodeQueuePrefix(),
                topology.queuePrefix(),
                defaults.reconnectMin(), defaults.reconnectMax(), connection.tls(), topology.nodeQueue().options(),
                history.history(), topology.historyStream());
    }

    @Bean
    RabbitBroker rabbitBroker(RabbitBrokerOptions options) {
        return new RabbitBroker(options);
    }
}
