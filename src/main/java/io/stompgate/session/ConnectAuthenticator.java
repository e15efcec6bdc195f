package io.stompgate.session;

import io.stompgate.stomp.StompHeaders;
import reactor.core.publisher.Mono;

/**
 * Settles a session's identity at CONNECT. The handshake may already have
 * established one (a trusted header, a token); otherwise the CONNECT headers
 * may carry it; later, a connected session may prove it again with a fresh credential
 * ({@link #refresh}). Implemented by the {@code auth} package for each mode.
 */
@FunctionalInterface
public interface ConnectAuthenticator {

    /**
     * @param handshakeIdentity what the HTTP handshake proved, or {@code null}
     * @return the identity, or an error {@link AuthenticationException} whose
     *         message goes to the client's ERROR frame
     */
    Mono<Identity> authenticate(Identity handshakeIdentity, StompHeaders connectHeaders);

    /**
     * Checks a fresh credential that a connected session sent in band, a {@code SEND} to
     * {@code /session/token} (docs/protocol.md §11), so that the session can outlive the
     * credential it connected with. The session, not the authenticator, checks that the
     * identity names its own principal. The credential must never be logged or echoed.
     *
     * @param headers the SEND's headers
     * @param body    the SEND's body
     * @return the identity the credential proves, or an error {@link AuthenticationException}
     *         whose message goes to the client's ERROR frame; by default refresh is refused,
     *         for modes whose sessions have no credential that expires
     */
    default Mono<Identity> refresh(StompHeaders headers, byte[] body) {
        return Mono.error(new AuthenticationException("sessions here have no token to refresh"));
    }

    /** Thrown (as an error signal) when a CONNECT does not prove who the client is. */
    class AuthenticationException extends RuntimeException {
        public AuthenticationException(String message) {
            super(message, null, false, false);
        }
    }
}
