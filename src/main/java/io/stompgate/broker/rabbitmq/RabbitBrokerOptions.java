package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.History;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node reaches RabbitMQ and names its topology (docs/protocol.md §5, §1.3).
 *
 * @param addresses          host:port pairs tried in order
 * @param username           AMQP user
 * @param password           AMQP password, never logged
 * @param virtualHost        every node of one gateway uses the same virtual host
 * @param requestedHeartbeat AMQP heart-beat asked of the broker, so a silent partition is noticed
 * @param connectionTimeout  TCP connect and AMQP handshake timeout
 * @param nodeId             names the node queue ({@code <nodeQueuePrefix><nodeId>})
 * @param operationTimeout   how long an operation waits for an absent broker before it fails
 * @param prefetch           unacknowledged deliveries of the node queue
 * @param topicExchange      topic exchange for {@code /topic}
 * @param userExchange       direct exchange for user destinations
 * @param appExchange        topic exchange for {@code /app}
 * @param clusterExchange    fanout exchange for messages between nodes (membership, presence)
 * @param nodeQueuePrefix    the node queue is this prefix and the node id
 * @param queuePrefix        {@code /queue/<name>} is the durable queue of this prefix and the name
 * @param reconnectMin       first wait before reconnecting
 * @param reconnectMax       longest wait between reconnect attempts
 * @param tls                TLS to the broker, its certificate checked against the JVM's trust store
 * @param nodeQueueOptions   the node queue's lifetime, size bound and type
 * @param history            which topics keep a history, and for how long
 * @param historyStream      the stream that holds it, bound to the topic exchange with the history patterns
 */
public record RabbitBrokerOptions(
        List<Endpoint> addresses,
        String username,
        String password,
        String virtualHost,
        Duration requestedHeartbeat,
        Duration connectionTimeout,
        String nodeId,
        Duration operationTimeout,
        int prefetch,
        String topicExchange,
        String userExchange,
        String appExchange,
        String clusterExchange,
        String nodeQueuePrefix,
        String queuePrefix,
        Duration reconnectMin,
        Duration reconnectMax,
        boolean tls,
        NodeQueueOptions nodeQueueOptions,
        History history,
        String historyStream) {

    public static final String TOPIC_EXCHANGE = "stomp.topic";
    public static final String USER_EXCHANGE = "stomp.user";
    public static final String APP_EXCHANGE = "stomp.app";
    public static final String CLUSTER_EXCHANGE = "stomp.cluster";
    public static final String NODE_QUEUE_PREFIX = "stomp.node.";
    public static final String QUEUE_PREFIX = "stomp.queue.";
    public static final String HISTORY_STREAM = "stomp.history";

    /** A broker address. */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public RabbitBrokerOptions {
        if (addresses == null || addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one RabbitMQ address is needed");
        }
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(virtualHost, "virtualHost");
        Objects.requireNonNull(requestedHeartbeat, "requestedHeartbeat");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        Objects.requireNonNull(nodeQueueOptions, "nodeQueueOptions");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(historyStream, "historyStream");
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be at least 1, was " + prefetch);
        }
    }

    /** The node's own queue. */
    public String nodeQueue() {
        return nodeQueuePrefix + nodeId;
    }

    /** The durable queue behind {@code /queue/<name>}. */
    public String queueName(String name) {
        return queuePrefix + name;
    }

    /**
     * The longest wait between reconnect attempts: short, because while a node is away from
     * RabbitMQ its subscribers get nothing (its queue collects it; one attempt a second per node
     * costs the broker nothing).
     */
    static final Duration RECONNECT_MAX = Duration.ofSeconds(1);

    /** Options with the default names of docs/protocol.md §5 for everything not given. */
    public static RabbitBrokerOptions defaults(List<Endpoint> addresses, String username, String password,
            String virtualHost, String nodeId) {
        return new RabbitBrokerOptions(addresses, username, password, virtualHost, Duration.ofSeconds(10),
                Duration.ofSeconds(10), nodeId, Duration.ofSeconds(5), 1000, TOPIC_EXCHANGE, USER_EXCHANGE,
                APP_EXCHANGE, CLUSTER_EXCHANGE, NODE_QUEUE_PREFIX, QUEUE_PREFIX, Duration.ofMillis(100), RECONNECT_MAX, false,
                NodeQueueOptions.defaults(), History.none(), HISTORY_STREAM);
    }

    public RabbitBrokerOptions withOperationTimeout(Duration timeout) {
        return new RabbitBrokerOptions(addresses, username, password, virtualHost, requestedHeartbeat,
                connectionTimeout, nodeId, timeout, prefetch, topicExchange, userExchange, appExchange,
                clusterExchange, nodeQueuePrefix, queuePrefix, reconnectMin, reconnectMax, tls, nodeQueueOptions,
                history, historyStream);
    }

    public RabbitBrokerOptions withRequestedHeartbeat(Duration heartbeat) {
        return new RabbitBrokerOptions(addresses, username, password, virtualHost, heartbeat,
                connectionTimeout, nodeId, operationTimeout, prefetch, topicExchange, userExchange, appExchange,
                clusterExchange, nodeQueuePrefix, queuePrefix, reconnectMin, reconnectMax, tls, nodeQueueOptions,
                history, historyStream);
    }

    @Override
    public String toString() {
        return "RabbitBrokerOptions[addresses=" + addresses + ", virtualHost=" + virtualHost + ", nodeId=" + nodeId + "]";
    }
}
