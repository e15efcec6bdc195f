package io.stompgate.broker.rabbitmq;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The node queue's own settings (docs/protocol.md §5.2): it outlives the node's
 * connection, so it has a lifetime of its own ({@code expires}: RabbitMQ deletes it
 * that long after the node stopped using it), a size bound ({@code maxBytes}, the
 * oldest messages go first) and a queue type.
 *
 * @param expires  how long RabbitMQ keeps the queue once unused: the longest broker outage that loses nothing
 * @param maxBytes bound on the bytes it holds while the node is away
 * @param type     {@code classic}, or {@code quorum} to survive the loss of a RabbitMQ cluster node
 */
public record NodeQueueOptions(Duration expires, long maxBytes, Type type) {

    /** RabbitMQ's queue types that a node queue may have. */
    public enum Type {
        CLASSIC, QUORUM;

        /** The type named {@code name} ({@code classic} or {@code quorum}), or an error naming {@code property}. */
        public static Type parse(String name, String property) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            }
            catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException(property + " must be classic or quorum, was '" + name + "'");
            }
        }

        String argument() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Duration DEFAULT_EXPIRES = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    /** RabbitMQ takes {@code x-expires} as a positive 32-bit count of milliseconds. */
    private static final long MAX_EXPIRES_MS = Integer.MAX_VALUE;

    public NodeQueueOptions {
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(type, "type");
        if (expires.toMillis() < 1000 || expires.toMillis() > MAX_EXPIRES_MS) {
            throw new IllegalArgumentException("gateway.rabbitmq.node-queue.expires must be between 1s and "
                    + Duration.ofMillis(MAX_EXPIRES_MS).toDays() + " days, was " + expires);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("gateway.rabbitmq.node-queue.max-bytes must be positive, was " + maxBytes);
        }
    }

    public static NodeQueueOptions defaults() {
        return new NodeQueueOptions(DEFAULT_EXPIRES, DEFAULT_MAX_BYTES, Type.CLASSIC);
    }

    /** The queue's declaration arguments. */
    Map<String, Object> arguments() {
        return Map.of(
                "x-expires", (int) expires.toMillis(),
                "x-max-length-bytes", maxBytes,
                "x-overflow", "drop-head",
                "x-queue-type", type.argument());
    }
}
