package io.stompgate.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code gateway.*} properties (docs/protocol.md §1.3), with their
 * defaults, checked at start-up: a bad value stops the node with a message that
 * names the property.
 *
 * <p>{@code gateway.broker} is a plain value ({@code local} or {@code rabbitmq});
 * docs/protocol.md §1.3 also names {@code gateway.broker.operation-timeout}, which is bound
 * separately by {@link BrokerProperties} because one property cannot be both a
 * value and a group.
 */
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @DefaultValue("/ws") String endpoint,
        @DefaultValue("local") BrokerMode broker,
        String nodeId,
        @DefaultValue("x-node") String nodeHeader,
        @DefaultValue("*") List<String> allowedOrigins,
        @DefaultValue Auth auth,
        @DefaultValue Limits limits,
        @DefaultValue Heartbeat heartbeat,
        @DefaultValue Drain drain,
        @DefaultValue Local local) {

    public GatewayProperties {
        if (endpoint == null || !endpoint.startsWith("/") || endpoint.length() < 2) {
            throw new IllegalArgumentException("gateway.endpoint must be a path such as /ws, was '" + endpoint + "'");
        }
        if (nodeId != null && !nodeId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException(
                    "gateway.node-id may hold letters, digits, '.', '_' and '-' (at most 100), was '" + nodeId + "'");
        }
    }

    /** Which broker the node uses. */
    public enum BrokerMode {
        /** In-JVM broker: one node, no RabbitMQ. */
        LOCAL,
        /** Cluster mode over RabbitMQ (AMQP 0-9-1). */
        RABBITMQ
    }

    /** How clients prove who they are (docs/protocol.md §3). */
    public record Auth(@DefaultValue("header") AuthMode mode, @DefaultValue("X-User") String header, @DefaultValue Jwt jwt) {

        public Auth {
            if (header == null || header.isBlank()) {
                throw new IllegalArgumentException("gateway.auth.header must name an HTTP header");
            }
        }
    }

    public enum AuthMode { HEADER, JWT }

    /** JWT verification settings, used when {@code gateway.auth.mode=jwt}. */
    public record Jwt(
            String hmacSecret,
            String publicKey,
            String jwksUri,
            List<String> algorithms,
            @DefaultValue("sub") String principalClaim,
            String issuer,
            String audience,
            @DefaultValue("30s") Duration clockSkew,
            @DefaultValue("true") boolean requireExpiry,
            @DefaultValue({"roles", "scope", "scp"}) List<String> authorityClaims) {
    }

    /** Per-session limits. */
    public record Limits(
            @DefaultValue("65536") int maxFrameBytes,
            @DefaultValue("64") int maxHeaders,
            @DefaultValue("8192") int maxHeaderLineBytes,
            @DefaultValue("1000") int maxSubscriptions,
            @DefaultValue("1024") int outboundFrames,
            @DefaultValue("16") int maxTransactions,
            @DefaultValue("1000") int maxTransactionFrames,
            @DefaultValue("4MB") org.springframework.util.unit.DataSize maxTransactionBytes,
            @DefaultValue("256") int maxInflightSends,
            @DefaultValue("100") int queuePrefetch,
            @DefaultValue("10s") Duration connectTimeout) {

        public Limits {
            atLeast(maxFrameBytes, 256, "gateway.limits.max-frame-bytes");
            atLeast(maxHeaders, 1, "gateway.limits.max-headers");
            atLeast(maxHeaderLineBytes, 64, "gateway.limits.max-header-line-bytes");
            atLeast(maxSubscriptions, 1, "gateway.limits.max-subscriptions");
            atLeast(outboundFrames, 8, "gateway.limits.outbound-frames");
            atLeast(maxTransactions, 1, "gateway.limits.max-transactions");
            atLeast(maxTransactionFrames, 1, "gateway.limits.max-transaction-frames");
            if (maxTransactionBytes == null || maxTransactionBytes.toBytes() < 1) {
                throw new IllegalArgumentException("gateway.limits.max-transaction-bytes must be positive");
            }
            atLeast(maxInflightSends, 1, "gateway.limits.max-inflight-sends");
            atLeast(queuePrefetch, 1, "gateway.limits.queue-prefetch");
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("gateway.limits.connect-timeout must be positive");
            }
        }
    }

    /**
     * What CONNECTED offers by default: server-ms, how often the server can beat; client-ms, how often it wants
     * the client's. A client asking for shorter intervals gets them down to min-ms (docs/protocol.md §2.5).
     */
    public record Heartbeat(@DefaultValue("10000") long serverMs, @DefaultValue("10000") long clientMs,
            @DefaultValue("1000") long minMs) {

        public Heartbeat {
            if (serverMs < 0) {
                throw new IllegalArgumentException("gateway.heartbeat.server-ms must not be negative, was " + serverMs);
            }
            if (clientMs < 0) {
                throw new IllegalArgumentException("gateway.heartbeat.client-ms must not be negative, was " + clientMs);
            }
            if (minMs < 1) {
                throw new IllegalArgumentException("gateway.heartbeat.min-ms must be at least 1, was " + minMs);
            }
        }
    }

    /** Graceful shutdown: open sessions are closed evenly over {@code period}. */
    public record Drain(@DefaultValue("30s") Duration period) {

        public Drain {
            if (period == null || period.isNegative()) {
                throw new IllegalArgumentException("gateway.drain.period must not be negative");
            }
        }
    }

    /** The in-JVM broker's settings. */
    public record Local(@DefaultValue("10000") int queueMaxLength) {

        public Local {
            atLeast(queueMaxLength, 1, "gateway.local.queue-max-length");
        }
    }

    static void atLeast(int value, int min, String property) {
        if (value < min) {
            throw new IllegalArgumentException(property + " must be at least " + min + ", was " + value);
        }
    }
}
