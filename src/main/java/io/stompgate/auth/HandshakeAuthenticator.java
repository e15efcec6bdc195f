package io.stompgate.auth;

import io.stompgate.session.Identity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * Establishes identity from the HTTP handshake, before the connection is
 * upgraded, so a bad credential costs the client a 401 and the node nothing.
 */
public interface HandshakeAuthenticator {

    /**
     * @return the identity; empty when the handshake carries none (CONNECT may);
     *         an error {@link HandshakeRejectedException} when it carries a bad one
     */
    Mono<Identity> authenticate(ServerHttpRequest request);
}
