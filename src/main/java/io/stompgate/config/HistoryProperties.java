package io.stompgate.config;

import io.stompgate.broker.History;
import java.time.Duration;
import java.util.ArrayList;
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

    private static final String TOPIC = "/topic/";

    public HistoryProperties {
        history(destinations, maxAge, maxBytes); // a bad value stops start-up, naming its property
    }

    /** The broker's view: topic patterns without {@code /topic/}. */
    public History history() {
        return history(destinations, maxAge, maxBytes);
    }

    private static History history(List<String> destinations, Duration maxAge, DataSize maxBytes) {
        List<String> patterns = new ArrayList<>();
        for (String d : destinations == null ? List.<String>of() : destinations) {
            String destination = d.trim();
            if (!destination.startsWith(TOPIC) || destination.length() == TOPIC.length()) {
                throw new IllegalArgumentException("gateway.history.destinations must be topic patterns such as "
                        + "/topic/chat.#, was '" + destination + "'");
            }
            patterns.add(destination.substring(TOPIC.length()));
        }
        return new History(patterns, maxAge, maxBytes.toBytes());
    }
}
