package io.stompgate.config;

import io.stompgate.broker.History;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code gateway.history.*}: which topics keep a history, and for how long
 * (docs/protocol.md §7). Destinations are topic patterns written as clients
 * write them ({@code /topic/chat.#}).
 */
@ConfigurationProperties("gateway.history")
public record HistoryProperties(
        @DefaultValue List<String> destinations,
        @DefaultValue("10m") Duration maxAge,
        @DefaultValue("256MB") DataSize maxBytes) {

    public HistoryProperties {
        history(destinations, maxAge, maxBytes); // a bad value stops start-up, naming its property
    }

    /** The broker's view: topic patterns without {@code /topic/}. */
    public History history() {
        return history(destinations, maxAge, maxBytes);
    }

    private static History history(List<String> destinations, Duration maxAge, DataSize maxBytes) {
        return new History(TopicDestinationList.patterns(destinations, "gateway.history.destinations"), maxAge,
                maxBytes.toBytes());
    }
}
