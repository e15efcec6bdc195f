package io.stompgate.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.broker.*}: how long an operation that needs the broker (a SEND,
 * a SUBSCRIBE's binding) may wait for it during an outage before the client gets
 * an ERROR (docs/protocol.md §6.5).
 */
@ConfigurationProperties("gateway.broker")
public record BrokerProperties(@DefaultValue("5s") Duration operationTimeout) {

    public BrokerProperties {
        if (operationTimeout == null || operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("gateway.broker.operation-timeout must be positive");
        }
    }
}
