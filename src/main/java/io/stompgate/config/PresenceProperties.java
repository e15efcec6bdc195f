package io.stompgate.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.presence.*}: which topics' subscribers are tracked across the
 * gateway (docs/protocol.md §9), how often each node sends its digest, and how
 * many (topic, user) pairs a node keeps of itself and of each other node.
 * Destinations are topic patterns written as clients write them ({@code /topic/chat.#}).
 */
@ConfigurationProperties("gateway.presence")
public record PresenceProperties(
        @DefaultValue List<String> destinations,
        @DefaultValue("2s") Duration digestInterval,
        @DefaultValue("10000") int maxEntries) {

    public PresenceProperties {
        patterns(destinations); // a bad value stops start-up, naming its property
        if (digestInterval == null || digestInterval.toMillis() < 100) {
            throw new IllegalArgumentException("gateway.presence.digest-interval must be at least 100ms, was "
                    + digestInterval);
        }
        GatewayProperties.atLeast(maxEntries, 1, "gateway.presence.max-entries");
    }

    /** Topic patterns without {@code /topic/}; empty: presence is off. */
    public List<String> patterns() {
        return patterns(destinations);
    }

    private static List<String> patterns(List<String> destinations) {
        return TopicDestinationList.patterns(destinations, "gateway.presence.destinations");
    }
}
