package io.stompgate.auth;

import io.stompgate.session.ConnectAuthenticator;
import io.stompgate.session.Identity;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * {@code gateway.auth.mode=jwt}: a signed token, looked for in order in the
 * handshake's {@code Authorization: Bearer} header, the query parameter
 * {@code access_token} (browsers cannot set handshake headers), then CONNECT's
 * {@code Authorization: Bearer} header or its {@code passcode} (the bare token).
 * A bad token at the handshake gets HTTP 401 before any upgrade; at CONNECT, an
 * ERROR. A connected session may send a fresh token to {@code /session/token}
 * ({@link #refresh}). The token itself is never logged or echoed.
 */
public final class JwtAuthentication implements HandshakeAuthenticator, ConnectAuthenticator {

    static final String QUERY_PARAMETER = "access_token";
    private static final String BEARER = "bearer ";

    private final JwtVerifier verifier;

    public JwtAuthentication(JwtVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Mono<Identity> authenticate(ServerHttpRequest request) {
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String token;
        if (authorization != null) {
            token = bearer(authorization);
            if (token == null) {
                return Mono.error(new HandshakeRejectedException(HttpStatus.UNAUTHORIZED,
                        "the Authorization header must be 'Bearer <token>'"));
            }
        }
        else {
            token = request.getQueryParams().getFirst(QUERY_PARAMETER);
        }
        if (token == null) {
            return Mono.empty();
        }
        return verifier.verify(token).onErrorMap(TokenRejectedException.class,
                e -> new HandshakeRejectedException(HttpStatus.UNAUTHORIZED, e.getMessage()));
    }

    @Override
    public Mono<Identity> authenticate(Identity handshakeIdentity, StompHeaders connectHeaders) {
        if (handshakeIdentity != null) {
            return Mono.just(handshakeIdentity);
        }
        String authorization = connectHeaders.get(StompHeaders.AUTHORIZATION);
        if (authorization == null) {
            authorization = connectHeaders.get("authorization");
        }
        String token = null;
        if (authorization != null) {
            token = bearer(authorization);
            if (token == null) {
                return Mono.error(new AuthenticationException("the Authorization header must be 'Bearer <token>'"));
            }
        }
        if (token == null) {
            token = connectHeaders.get(StompHeaders.PASSCODE);
        }
        if (token == null || token.isBlank()) {
            return Mono.error(new AuthenticationException("missing token: send 'Authorization: Bearer <token>' at the "
                    + "handshake, the '" + QUERY_PARAMETER + "' query parameter, or CONNECT's Authorization or passcode header"));
        }
        return verifier.verify(token).onErrorMap(TokenRejectedException.class, e -> new AuthenticationException(e.getMessage()));
    }

    /**
     * A token sent in band to {@code /session/token}: the SEND's {@code Authorization: Bearer}
     * header, else its body (the bare token, surrounding whitespace ignored).
     */
    @Override
    public Mono<Identity> refresh(StompHeaders headers, byte[] body) {
        String authorization = headers.get(StompHeaders.AUTHORIZATION);
        if (authorization == null) {
            authorization = headers.get("authorization");
        }
        String token;
        if (authorization != null) {
            token = bearer(authorization);
            if (token == null) {
                return Mono.error(new AuthenticationException("the Authorization header must be 'Bearer <token>'"));
            }
        }
        else {
            token = new String(body, StandardCharsets.UTF_8).trim();
        }
        if (token.isEmpty()) {
            return Mono.error(new AuthenticationException(
                    "missing token: send 'Authorization: Bearer <token>' or the token as the body"));
        }
        return verifier.verify(token).onErrorMap(TokenRejectedException.class, e -> new AuthenticationException(e.getMessage()));
    }

    private static String bearer(String authorization) {
        String a = authorization.trim();
        if (a.length() > BEARER.length() && a.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = a.substring(BEARER.length()).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }
}
