package io.stompgate.auth;

import io.stompgate.logging.LogText;
import io.stompgate.session.IdentityPrincipal;
import io.stompgate.transport.EndpointPath;
import io.stompgate.transport.StompUpgradeStrategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Guards the STOMP endpoint's handshake before any upgrade: a browser origin
 * not in {@code gateway.allowed-origins} gets 403 (cross-site WebSocket
 * hijacking), a bad credential gets 401 with the reason in the body, and a good
 * one becomes the exchange's principal, which the session takes as its identity.
 * Requests to other paths pass untouched.
 */
public final class HandshakeFilter implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(HandshakeFilter.class);

    private final EndpointPath endpoint;
    private final OriginPolicy origins;
    private final HandshakeAuthenticator authenticator;

    public HandshakeFilter(String endpoint, List<String> allowedOrigins, HandshakeAuthenticator authenticator) {
        this.endpoint = new EndpointPath(endpoint);
        this.origins = new OriginPolicy(allowedOrigins);
        this.authenticator = authenticator;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!endpoint.matches(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin != null && !origins.allows(origin)) {
            log.info("handshake refused: origin not allowed origin=\"{}\"", LogText.of(origin));
            return reject(exchange, HttpStatus.FORBIDDEN, "origin not allowed");
        }
        return authenticator.authenticate(exchange.getRequest())
                .map(identity -> exchange.mutate().principal(Mono.just(new IdentityPrincipal(identity))).build())
                .defaultIfEmpty(exchange)
                .doOnNext(checked -> checked.getAttributes().put(StompUpgradeStrategy.CHECKED_ATTRIBUTE, Boolean.TRUE))
                .flatMap(chain::filter)
                .onErrorResume(HandshakeRejectedException.class, e -> {
                    log.info("handshake refused: status={} reason=\"{}\"", e.status().value(), e.getMessage());
                    return reject(exchange, e.status(), e.getMessage());
                });
    }

    static Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, String reason) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
