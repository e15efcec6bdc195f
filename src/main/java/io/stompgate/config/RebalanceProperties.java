package io.stompgate.config;

import io.stompgate.cluster.RebalanceSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.rebalance.*}: whether and how a node sheds sessions above its fair share
 * (docs/protocol.md §8). {@code enabled} defaults to on in {@code rabbitmq} mode and off in
 * {@code local} mode, where the node is alone.
 */
@ConfigurationProperties("gateway.rebalance")
public record RebalanceProperties(
        Boolean enabled,
        @DefaultValue("0.2") double tolerance,
        @DefaultValue("20") int maxRate,
        @DefaultValue("10") int minExcess) {

    public RebalanceProperties {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("gateway.rebalance.tolerance must be a number of at least 0, was "
                    + tolerance);
        }
        GatewayProperties.atLeast(maxRate, 1, "gateway.rebalance.max-rate");
        GatewayProperties.atLeast(minExcess, 0, "gateway.rebalance.min-excess");
    }

    /** Whether the node sheds: {@code enabled} when set, else only in {@code rabbitmq} mode. */
    boolean enabledIn(GatewayProperties.BrokerMode mode) {
        return enabled != null ? enabled : mode == GatewayProperties.BrokerMode.RABBITMQ;
    }

    RebalanceSettings settings() {
        return new RebalanceSettings(tolerance, maxRate, minExcess);
    }
}
