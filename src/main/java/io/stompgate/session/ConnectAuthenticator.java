package io.stompgate.session;

import io.stompgate.stomp.StompHeaders;
import reactor.core.publisher.Mono;

/**
 * Settles a session's identity at CONNECT. The handshake may already have
 * established one (a trusted header, a token); otherwise the CONNECT headers
 * may carry it. Implemented by the {@code auth} package for each mode.
 */
@FunctionalInterface
public interface ConnectAuthenticator {

    /**
     * @param handshakeIdentity what the HTTP handshake proved, or {@code null}
     * @return the identity, or an error {@link AuthenticationException} whose
     *         message goes to the client's ERROR frame
     */
    Mono<Identity> authenticate(Identity handshakeIdentity, StompHeaders connectHeaders);

    /** Thrown (as an error signal) when a CONNECT does not prove who the client is. */
    class AuthenticationException extends RuntimeException {
        public AuthenticationException(String message) {
            super(message, null, false, false);
        }
    }
}
