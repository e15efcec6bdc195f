package io.stompgate.transport;

import io.stompgate.session.Identity;
import io.stompgate.session.IdentityPrincipal;
import io.stompgate.stomp.StompVersion;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Upgrades the STOMP endpoint's handshakes on Reactor Netty and starts a
 * session on the raw WebSocket. Two things differ from WebFlux's default: the
 * subprotocol is the highest STOMP version the client offers (not the first it
 * lists), and WebSocket fragments are not aggregated, so the STOMP decoder, not
 * the WebSocket layer, enforces the frame size limit and answers with an ERROR.
 */
public final class StompUpgradeStrategy implements RequestUpgradeStrategy {

    /**
     * The exchange attribute the handshake filter sets once it has checked origin and identity;
     * a handshake without it is refused, whatever path spelling brought it here.
     */
    public static final String CHECKED_ATTRIBUTE = "stompgate.handshake.checked";

    private final WebsocketServerSpec spec;
    private final int maxFramePayloadLength;

    /**
     * @param maxFramePayloadLength the largest single WebSocket frame read at all;
     *        larger ones are refused by the WebSocket layer (close code 1009)
     */
    public StompUpgradeStrategy(int maxFramePayloadLength) {
        this.maxFramePayloadLength = maxFramePayloadLength;
        this.spec = WebsocketServerSpec.builder().maxFramePayloadLength(maxFramePayloadLength).build();
    }

    @Override
    public Mono<Void> upgrade(ServerWebExchange exchange, WebSocketHandler handler, String subProtocol,
            Supplier<HandshakeInfo> handshakeInfoFactory) {
        if (!(handler instanceof StompWebSocketHandler stompHandler)) {
            return Mono.error(new IllegalStateException("StompUpgradeStrategy serves StompWebSocketHandler only"));
        }
        ServerHttpResponse response = exchange.getResponse();
        if (!Boolean.TRUE.equals(exchange.getAttribute(CHECKED_ATTRIBUTE))) {
            // Defence in depth: every handshake must have passed the origin and identity checks.
            response.setStatusCode(org.springframework.http.HttpStatus.FORBIDDEN);
            return response.setComplete();
        }
        HttpServerResponse reactorResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        String protocol = highestStompProtocol(exchange.getRequest().getHeaders().get("Sec-WebSocket-Protocol"))
                .orElse(subProtocol);
        WebsocketServerSpec sessionSpec = protocol == null ? spec
                : WebsocketServerSpec.builder().protocols(protocol).maxFramePayloadLength(maxFramePayloadLength).build();
        return exchange.getPrincipal()
                .map(principal -> principal instanceof IdentityPrincipal p ? p.identity() : Identity.of(principal.getName()))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(identity -> response.setComplete().then(Mono.defer(() ->
                        reactorResponse.sendWebsocket(
                                (in, out) -> stompHandler.handle(in, out, identity.orElse(null)), sessionSpec)
                                // The session outlives the HTTP exchange by hours: it must not keep the
                                // exchange's Reactor context (its observation, hence request, headers and
                                // attributes) alive with it.
                                .contextWrite(context -> reactor.util.context.Context.empty()))));
    }

    /** The highest STOMP subprotocol among those offered, if any. */
    static Optional<String> highestStompProtocol(java.util.List<String> headerValues) {
        if (headerValues == null) {
            return Optional.empty();
        }
        StompVersion best = null;
        for (String value : headerValues) {
            for (String offered : value.split(",")) {
                Optional<StompVersion> v = StompVersion.fromSubprotocol(offered);
                if (v.isPresent() && (best == null || v.get().compareTo(best) > 0)) {
                    best = v.get();
                }
            }
        }
        return Optional.ofNullable(best).map(StompVersion::subprotocol);
    }
}
