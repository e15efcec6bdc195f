package io.stompgate.config;

import io.stompgate.broker.rabbitmq.RabbitBrokerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The standard Spring Boot RabbitMQ connection properties, {@code spring.rabbitmq.*},
 * as operators already write them. Bound here because the gateway talks AMQP
 * with the RabbitMQ client directly rather than through Spring AMQP. The one
 * different default: {@code requested-heartbeat} is 10 s, so a silent partition
 * is noticed within seconds (contract section 6).
 */
@ConfigurationProperties("spring.rabbitmq")
public record RabbitConnectionProperties(
        @DefaultValue("localhost") String host,
        @DefaultValue("5672") int port,
        @DefaultValue("guest") String username,
        @DefaultValue("guest") String password,
        @DefaultValue("/") String virtualHost,
        String addresses,
        @DefaultValue("10s") Duration requestedHeartbeat,
        @DefaultValue("10s") Duration connectionTimeout) {

    public RabbitConnectionProperties {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("spring.rabbitmq.port must be between 1 and 65535, was " + port);
        }
    }

    /** {@code addresses} ({@code host:port,host:port}) when set, else {@code host} and {@code port}. */
    public List<RabbitBrokerOptions.Endpoint> endpoints() {
        if (addresses == null || addresses.isBlank()) {
            return List.of(new RabbitBrokerOptions.Endpoint(host, port));
        }
        List<RabbitBrokerOptions.Endpoint> endpoints = new ArrayList<>();
        for (String address : addresses.split(",")) {
            String a = address.trim();
            if (a.startsWith("amqp://")) {
                a = a.substring("amqp://".length());
            }
            int at = a.lastIndexOf('@');
            if (at >= 0) {
                a = a.substring(at + 1);
            }
            int slash = a.indexOf('/');
            if (slash >= 0) {
                a = a.substring(0, slash);
            }
            int colon = a.lastIndexOf(':');
            try {
                endpoints.add(colon < 0 ? new RabbitBrokerOptions.Endpoint(a, 5672)
                        : new RabbitBrokerOptions.Endpoint(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("spring.rabbitmq.addresses has a bad port in '" + address + "'");
            }
        }
        return endpoints;
    }
}
