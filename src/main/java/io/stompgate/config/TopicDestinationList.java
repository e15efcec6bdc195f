package io.stompgate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A property that lists topic patterns the way clients write them
 * ({@code /topic/chat.#}), turned into the broker's patterns (without
 * {@code /topic/}). Anything else stops start-up with a message naming the property.
 */
final class TopicDestinationList {

    private static final String TOPIC = "/topic/";

    private TopicDestinationList() {
    }

    /** The patterns of {@code destinations} (may be null: none). */
    static List<String> patterns(List<String> destinations, String property) {
        List<String> patterns = new ArrayList<>();
        for (String d : destinations == null ? List.<String>of() : destinations) {
            String destination = d.trim();
            if (!destination.startsWith(TOPIC) || destination.length() == TOPIC.length()) {
                throw new IllegalArgumentException(property + " must be topic patterns such as /topic/chat.#, was '"
                        + destination + "'");
            }
            patterns.add(destination.substring(TOPIC.length()));
        }
        return patterns;
    }
}
