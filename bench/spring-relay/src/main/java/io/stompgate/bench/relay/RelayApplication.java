package io.stompgate.bench.relay;

import java.security.Principal;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The peer users would pick instead of stompgate: Spring's STOMP support configured the classic
 * multi-node way. Servlet WebSocket (Tomcat), {@code enableStompBrokerRelay("/topic", "/queue")} to
 * RabbitMQ's STOMP plugin, {@code AntPathMatcher(".")}, user destinations resolved across nodes via
 * the user destination broadcast and the user registry broadcast, and the principal taken from a
 * handshake header ({@code X-User}) or the {@code user} query parameter.
 *
 * <p>Run two instances on different ports against the same RabbitMQ:
 * {@code java -jar bench/spring-relay/target/spring-relay.jar --server.port=8091}.
 */
@SpringBootApplication
@EnableWebSocketMessageBroker
public class RelayApplication implements WebSocketMessageBrokerConfigurer {

    @Value("${relay.host:127.0.0.1}")
    private String relayHost;
    @Value("${relay.port:61613}")
    private int relayPort;
    @Value("${relay.login:guest}")
    private String login;
    @Value("${relay.passcode:guest}")
    private String passcode;
    @Value("${relay.virtual-host:/}")
    private String virtualHost;
    @Value("${relay.user-header:X-User}")
    private String userHeader;

    public static void main(String[] args) {
        SpringApplication.run(RelayApplication.class, args);
    }

    @Override
    public void registerStompEndpoints(StompEndpointRegistry registry) {
        registry.addEndpoint("/ws")
                .setAllowedOriginPatterns("*")
                .setHandshakeHandler(new PrincipalHandshakeHandler(userHeader));
    }

    @Override
    public void configureMessageBroker(MessageBrokerRegistry registry) {
        registry.setApplicationDestinationPrefixes("/app");
        registry.setPathMatcher(new AntPathMatcher("."));
        registry.setUserDestinationPrefix("/user");
        registry.enableStompBrokerRelay("/topic", "/queue")
                .setRelayHost(relayHost)
                .setRelayPort(relayPort)
                .setClientLogin(login)
                .setClientPasscode(passcode)
                .setSystemLogin(login)
                .setSystemPasscode(passcode)
                .setVirtualHost(virtualHost)
                .setUserDestinationBroadcast("/topic/unresolved-user-destination")
                .setUserRegistryBroadcast("/topic/simp-user-registry");
    }

    /** Principal from the handshake header, else the {@code user} query parameter. */
    static final class PrincipalHandshakeHandler extends DefaultHandshakeHandler {
        private final String header;

        PrincipalHandshakeHandler(String header) {
            this.header = header;
        }

        @Override
        protected Principal determineUser(ServerHttpRequest request, WebSocketHandler wsHandler,
                                          Map<String, Object> attributes) {
            String name = request.getHeaders().getFirst(header);
            if (name == null || name.isBlank()) {
                name = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams().getFirst("user");
            }
            if (name == null || name.isBlank()) {
                return super.determineUser(request, wsHandler, attributes);
            }
            String user = name;
            return () -> user;
        }
    }
}
