package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.Publication;
import io.stompgate.stomp.Utf8;
import java.util.HashMap;
import java.util.Map;

/**
 * The pure mapping between STOMP addresses and AMQP routing (docs/protocol.md §5):
 * which exchange and routing key a publication takes, with which flags and gateway
 * headers, and what a delivery from the node queue is addressed to. No I/O, no
 * state beyond the configured names, so it is tested on its own.
 */
final class AmqpRouting {

    static final String DESTINATION_HEADER = "stomp-destination";
    static final String USER_HEADER = "stomp-user";
    static final String SESSION_HEADER = "stomp-session";
    static final String NODE_HEADER = "stomp-node";
    static final String KIND_HEADER = "stomp-kind";

    /** AMQP short strings (queue names, routing keys, header names) hold at most 255 bytes. */
    static final int MAX_SHORT_STRING_BYTES = 255;

    private static final String QUEUE_DESTINATION = "/queue/";

    /**
     * Where one publication goes.
     *
     * @param exchange   the exchange ({@code ""}: the default exchange, straight to a queue)
     * @param routingKey the routing key
     * @param mandatory  the broker must return it when no queue takes it
     * @param persistent written to disk by durable queues
     * @param headers    the gateway's own AMQP headers for it
     * @param queue      the {@code /queue/<name>} it goes to, which must be declared first; or {@code null}
     * @param expiration the AMQP per-message TTL in milliseconds, or {@code null} for none
     */
    record Route(String exchange, String routingKey, boolean mandatory, boolean persistent,
            Map<String, Object> headers, String queue, String expiration) {
    }

    /** What a delivery from the node queue is addressed to. */
    sealed interface Inbound {
        /** A broadcast published to topic {@code key}. */
        record Topic(String key) implements Inbound { }

        /** A message for {@code user}'s private queue {@code queue}. */
        record User(String user, String queue) implements Inbound { }

        /** A message between nodes, of {@code kind}, from node {@code fromNode}. */
        record Node(String kind, String fromNode) implements Inbound { }

        /** Nothing the gateway can deliver; {@code why} says so for the log. */
        record Undeliverable(String why) implements Inbound { }
    }

    private final RabbitBrokerOptions options;
    private final int maxQueueNameBytes;

    AmqpRouting(RabbitBrokerOptions options) {
        this.options = options;
        this.maxQueueNameBytes = MAX_SHORT_STRING_BYTES - Utf8.encodedLength(options.queuePrefix());
    }

    /** The longest {@code /queue/<name>} that fits an AMQP queue name after the configured prefix. */
    int maxQueueNameBytes() {
        return maxQueueNameBytes;
    }

    /**
     * The durable queue behind {@code /queue/<name>}.
     *
     * @throws BrokerException when the name does not fit an AMQP queue name after the prefix
     */
    String queueName(String name) {
        if (Utf8.encodedLength(name) > maxQueueNameBytes) {
            throw new BrokerException("queue name '" + abbreviate(name) + "' is longer than the " + maxQueueNameBytes
                    + " bytes left after the prefix '" + options.queuePrefix() + "'");
        }
        return options.queueName(name);
    }

    /**
     * Where {@code publication} goes; the publishing node's id goes into {@code /app} messages.
     *
     * @throws BrokerException when the address cannot be expressed in AMQP
     */
    Route outbound(Publication publication) {
        Address address = publication.address();
        if (address instanceof Address.Topic topic) {
            return new Route(options.topicExchange(), topic.key(), false, false, Map.of(), null, null);
        }
        if (address instanceof Address.User user) {
            return new Route(options.userExchange(), user.user(), false, false,
                    Map.of(DESTINATION_HEADER, QUEUE_DESTINATION + user.queue()), null, null);
        }
        if (address instanceof Address.Queue queue) {
            // mandatory: a queue deleted behind the node's back must not swallow messages
            return new Route("", queueName(queue.name()), true, true, Map.of(), queue.name(), null);
        }
        if (address instanceof Address.Nodes nodes) {
            return new Route(options.clusterExchange(), "", false, false,
                    Map.of(NODE_HEADER, options.nodeId(), KIND_HEADER, nodes.kind()), null,
                    nodes.ttlMillis() > 0 ? Long.toString(nodes.ttlMillis()) : null);
        }
        Address.App app = (Address.App) address;
        Map<String, Object> origin = new HashMap<>(4);
        origin.put(NODE_HEADER, options.nodeId());
        if (publication.user() != null) {
            origin.put(USER_HEADER, publication.user());
        }
        if (publication.sessionId() != null) {
            origin.put(SESSION_HEADER, publication.sessionId());
        }
        // mandatory: with no backend bound the sender must hear of it
        return new Route(options.appExchange(), app.key(), true, false, origin, null, null);
    }

    /** What a delivery from the node queue, taken from {@code exchange} with {@code routingKey}, is for. */
    Inbound inbound(String exchange, String routingKey, Map<String, Object> headers) {
        if (exchange.equals(options.topicExchange())) {
            if (options.history().keeps(routingKey)) {
                // A wildcard binding that overlaps a history pattern: the history stream delivers it, with its offset.
                return new Inbound.Undeliverable("topic under history, delivered from the history stream");
            }
            return new Inbound.Topic(routingKey);
        }
        if (exchange.equals(options.userExchange())) {
            String destination = headers == null ? null : AmqpMessages.stringValue(headers.get(DESTINATION_HEADER));
            if (destination == null || !destination.startsWith(QUEUE_DESTINATION)
                    || destination.length() == QUEUE_DESTINATION.length()) {
                return new Inbound.Undeliverable("user message without a valid " + DESTINATION_HEADER + " header");
            }
            return new Inbound.User(routingKey, destination.substring(QUEUE_DESTINATION.length()));
        }
        if (exchange.equals(options.clusterExchange())) {
            String kind = headers == null ? null : AmqpMessages.stringValue(headers.get(KIND_HEADER));
            String from = headers == null ? null : AmqpMessages.stringValue(headers.get(NODE_HEADER));
            if (kind == null || from == null) {
                return new Inbound.Undeliverable("node message without " + KIND_HEADER + " and " + NODE_HEADER);
            }
            return new Inbound.Node(kind, from);
        }
        return new Inbound.Undeliverable("delivery from exchange '" + exchange + "', which the node does not bind");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
