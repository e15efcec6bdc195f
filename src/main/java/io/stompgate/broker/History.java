package io.stompgate.broker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Which topics keep a history, and for how long (docs/protocol.md §7): topic
 * patterns whose messages both brokers keep in an ordered log, each with an
 * offset that is the same on every node, for at most {@code maxAge} and
 * {@code maxBytes} (the oldest go first).
 *
 * @param patterns topic patterns (keys without {@code /topic/}) under history; empty: none
 * @param maxAge   how long a message is retained
 * @param maxBytes bound on the retained bytes
 */
public record History(List<String> patterns, Duration maxAge, long maxBytes) {

    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

    public History {
        patterns = List.copyOf(patterns);
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.toSeconds() < 1) {
            throw new IllegalArgumentException("gateway.history.max-age must be at least 1s, was " + maxAge);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("gateway.history.max-bytes must be positive, was " + maxBytes);
        }
    }

    /** No topic keeps a history. */
    public static History none() {
        return new History(List.of(), DEFAULT_MAX_AGE, DEFAULT_MAX_BYTES);
    }

    public boolean isEnabled() {
        return !patterns.isEmpty();
    }

    /** Whether messages published to topic {@code key} are kept. */
    public boolean keeps(String key) {
        for (String p : patterns) {
            if (TopicMatcher.matches(p, key)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every topic a subscription to {@code pattern} can receive is kept: then it can resume. */
    public boolean covers(String pattern) {
        for (String p : patterns) {
            if (TopicPatterns.covers(p, pattern)) {
                return true;
            }
        }
        return false;
    }
}
