package io.stompgate.auth;

import io.stompgate.session.ConnectAuthenticator;
import io.stompgate.session.Identity;
import io.stompgate.stomp.StompHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * {@code gateway.auth.mode=header}: the principal is whatever the client (or an
 * authenticating proxy in front of the gateway) says, from the handshake header
 * named by {@code gateway.auth.header}, else the query parameter {@code user},
 * else CONNECT's {@code login}. Nothing is verified: for development, or behind a
 * proxy that sets the header itself and strips the client's.
 */
public final class HeaderAuthentication implements HandshakeAuthenticator, ConnectAuthenticator {

    static final String QUERY_PARAMETER = "user";

    private final String headerName;

    public HeaderAuthentication(String headerName) {
        this.headerName = headerName;
    }

    @Override
    public Mono<Identity> authenticate(ServerHttpRequest request) {
        String name = request.getHeaders().getFirst(headerName);
        String source = "header " + headerName;
        if (name == null) {
            name = request.getQueryParams().getFirst(QUERY_PARAMETER);
            source = "query parameter " + QUERY_PARAMETER;
        }
        if (name == null) {
            return Mono.empty();
        }
        String problem = Principals.problem(name);
        if (problem != null) {
            return Mono.error(new HandshakeRejectedException(HttpStatus.UNAUTHORIZED, problem + " (" + source + ")"));
        }
        return Mono.just(Identity.of(name));
    }

    @Override
    public Mono<Identity> authenticate(Identity handshakeIdentity, StompHeaders connectHeaders) {
        if (handshakeIdentity != null) {
            return Mono.just(handshakeIdentity);
        }
        String login = connectHeaders.get(StompHeaders.LOGIN);
        if (login == null) {
            return Mono.error(new AuthenticationException("no identity: send the " + headerName
                    + " handshake header, the '" + QUERY_PARAMETER + "' query parameter or a CONNECT 'login' header"));
        }
        String problem = Principals.problem(login);
        if (problem != null) {
            return Mono.error(new AuthenticationException(problem + " (CONNECT login)"));
        }
        return Mono.just(Identity.of(login));
    }

    @Override
    public Mono<Identity> refresh(StompHeaders headers, byte[] body) {
        return Mono.error(new AuthenticationException(
                "there is no token to refresh in gateway.auth.mode=header; token refresh needs gateway.auth.mode=jwt"));
    }
}
