package io.stompgate.ops;

import io.stompgate.broker.MessageBroker;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The broker connection as a health component ({@code broker}), part of the
 * readiness group: a node whose broker is away cannot serve SENDs and
 * SUBSCRIBEs, so a load balancer should send new clients elsewhere. Not part of
 * liveness: restarting the node would not bring the broker back.
 */
public final class BrokerHealthIndicator implements HealthIndicator {

    private final MessageBroker broker;

    public BrokerHealthIndicator(MessageBroker broker) {
        this.broker = broker;
    }

    @Override
    public Health health() {
        return broker.isUp() ? Health.up().build() : Health.down().withDetail("broker", "not connected").build();
    }
}
