package io.stompgate.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.cluster.*}: how often a node announces itself to the others; one not
 * heard from for three intervals is gone (docs/protocol.md §8).
 */
@ConfigurationProperties("gateway.cluster")
public record ClusterProperties(@DefaultValue("2s") Duration announceInterval) {

    public ClusterProperties {
        if (announceInterval == null || announceInterval.toMillis() < 10) {
            throw new IllegalArgumentException("gateway.cluster.announce-interval must be at least 10ms, was "
                    + announceInterval);
        }
    }
}
