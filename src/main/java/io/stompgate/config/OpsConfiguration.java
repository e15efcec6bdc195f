package io.stompgate.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.stompgate.broker.MessageBroker;
import io.stompgate.ops.BrokerHealthIndicator;
import io.stompgate.ops.BrokerMetrics;
import io.stompgate.ops.DrainFilter;
import io.stompgate.ops.GracefulDrain;
import io.stompgate.session.SessionRegistry;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Health, metrics and graceful drain. */
@Configuration(proxyBeanMethods = false)
public class OpsConfiguration {

    @Bean
    BrokerHealthIndicator brokerHealthIndicator(MessageBroker broker) {
        return new BrokerHealthIndicator(broker);
    }

    @Bean(destroyMethod = "close")
    BrokerMetrics brokerMetrics(MeterRegistry meterRegistry, MessageBroker broker, NodeId nodeId) {
        return new BrokerMetrics(meterRegistry, broker, nodeId.value());
    }

    @Bean
    GracefulDrain gracefulDrain(SessionRegistry registry, ApplicationEventPublisher events, GatewayProperties properties,
            NodeId nodeId) {
        return new GracefulDrain(registry, events, properties.drain().period(), nodeId.value());
    }

    @Bean
    DrainFilter drainFilter(GatewayProperties properties, SessionRegistry registry) {
        return new DrainFilter(properties.endpoint(), registry);
    }
}
