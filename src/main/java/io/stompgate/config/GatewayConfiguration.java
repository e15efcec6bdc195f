package io.stompgate.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.stompgate.app.AppHandlers;
import io.stompgate.app.AppMessageHandler;
import io.stompgate.app.GatewayMessenger;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.local.LocalBroker;
import io.stompgate.ops.MicrometerSessionMetrics;
import io.stompgate.presence.ClusterPresence;
import io.stompgate.session.ConnectAuthenticator;
import io.stompgate.session.DestinationPolicy;
import io.stompgate.session.SessionContext;
import io.stompgate.session.SessionMetrics;
import io.stompgate.session.SessionOptions;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.HeartBeat;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import io.stompgate.transport.StompUpgradeStrategy;
import io.stompgate.transport.StompWebSocketHandler;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import reactor.core.scheduler.Schedulers;

/**
 * Wires one gateway node: the broker chosen by {@code gateway.broker}, the
 * session layer on top of it and the WebSocket endpoint in front.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({GatewayProperties.class, BrokerProperties.class, HistoryProperties.class,
        PresenceProperties.class})
public class GatewayConfiguration {

    /** The largest WebSocket frame read at all; bigger STOMP frames up to this get a STOMP ERROR. */
    static int webSocketFrameLimit(int maxFrameBytes) {
        return Math.max(1 << 20, maxFrameBytes * 2);
    }

    /**
     * The web server's own Netty event loops rather than Reactor Netty's global ones, so that
     * stopping this node never disposes loops other code in the process uses (a second node in
     * the same JVM, HTTP clients).
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }

    @Bean
    NodeId nodeId(GatewayProperties properties) {
        return NodeId.resolve(properties.nodeId());
    }

    @Bean
    @ConditionalOnProperty(name = "gateway.broker", havingValue = "local", matchIfMissing = true)
    LocalBroker localBroker(ObjectProvider<AppMessageHandler> appHandlers, GatewayProperties properties, NodeId nodeId,
            HistoryProperties history) {
        AppHandlers handlers = new AppHandlers(() -> appHandlers.orderedStream().toList());
        return new LocalBroker(nodeId.value(), history.history(), handlers::dispatch,
                properties.local().queueMaxLength());
    }

    @Bean
    SessionRegistry sessionRegistry(MessageBroker broker, SessionMetrics metrics, GatewayProperties properties,
            NodeId nodeId) {
        String header = properties.nodeHeader();
        StompHeaders nodeHeaders = header == null || header.isBlank() ? StompHeaders.EMPTY
                : StompHeaders.of(header, nodeId.value());
        return new SessionRegistry(broker, metrics, nodeHeaders);
    }

    @Bean
    SessionMetrics sessionMetrics(MeterRegistry meterRegistry, NodeId nodeId, ObjectProvider<SessionRegistry> registry) {
        return new MicrometerSessionMetrics(meterRegistry, nodeId.value(), registry::getObject);
    }

    @Bean
    SessionOptions sessionOptions(GatewayProperties properties) {
        GatewayProperties.Limits limits = properties.limits();
        return new SessionOptions(
                StompLimits.of(limits.maxFrameBytes(), limits.maxHeaders(), limits.maxHeaderLineBytes()),
                new HeartBeat(properties.heartbeat().serverMs(), properties.heartbeat().clientMs()),
                properties.heartbeat().minMs(),
                limits.outboundFrames(),
                limits.maxSubscriptions(),
                limits.maxTransactions(),
                limits.maxTransactionFrames(),
                limits.maxTransactionBytes().toBytes(),
                limits.maxInflightSends(),
                limits.queuePrefetch(),
                SessionOptions.DEFAULT_CLOSE_TIMEOUT,
                limits.connectTimeout(),
                "stompgate/" + versionOf(GatewayConfiguration.class));
    }

    @Bean
    SessionContext sessionContext(NodeId nodeId, SessionOptions options, SessionRegistry registry, MessageBroker broker,
            ConnectAuthenticator authenticator, ObjectProvider<DestinationPolicy> policy, SessionMetrics metrics,
            ClusterPresence presence) {
        return new SessionContext(nodeId.value(), options, registry, broker, authenticator,
                policy.getIfAvailable(() -> DestinationPolicy.ALLOW_ALL), metrics, Schedulers.parallel(), presence);
    }

    /**
     * Presence (docs/protocol.md §9): made before the broker starts, so that it hears every presence
     * node message; it sends nothing while {@code gateway.presence.destinations} is empty.
     */
    @Bean(destroyMethod = "stop")
    ClusterPresence clusterPresence(PresenceProperties properties, MessageBroker broker, NodeId nodeId) {
        ClusterPresence presence = new ClusterPresence(properties.patterns(), broker, nodeId.value(),
                properties.digestInterval(), properties.maxEntries());
        presence.start(Schedulers.parallel());
        return presence;
    }

    @Bean
    StompWebSocketHandler stompWebSocketHandler(SessionContext context) {
        return new StompWebSocketHandler(context);
    }

    @Bean
    HandlerMapping stompEndpointMapping(GatewayProperties properties, StompWebSocketHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of(properties.endpoint(), handler), Ordered.HIGHEST_PRECEDENCE);
    }

    @Bean
    WebSocketHandlerAdapter webSocketHandlerAdapter(GatewayProperties properties) {
        int frameLimit = webSocketFrameLimit(properties.limits().maxFrameBytes());
        return new WebSocketHandlerAdapter(new HandshakeWebSocketService(new StompUpgradeStrategy(frameLimit)));
    }

    @Bean
    GatewayMessenger gatewayMessenger(MessageBroker broker) {
        return new GatewayMessenger(broker);
    }

    @Bean(destroyMethod = "destroy")
    BrokerLifecycle brokerLifecycle(MessageBroker broker, SessionRegistry registry, NodeId nodeId) {
        return new BrokerLifecycle(broker, registry, nodeId.value());
    }

    private static String versionOf(Class<?> type) {
        String v = type.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
