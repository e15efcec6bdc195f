package io.stompgate.transport;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Whether a request is for the STOMP endpoint, decided exactly as the handler
 * mapping decides it (decoded segments, path parameters ignored), so that no
 * spelling of the path ({@code /ws;x=1}, {@code /w%73}) reaches the endpoint
 * around the filters that guard it.
 */
public final class EndpointPath {

    private final PathPattern pattern;

    public EndpointPath(String endpoint) {
        this.pattern = PathPatternParser.defaultInstance.parse(endpoint);
    }

    public boolean matches(ServerHttpRequest request) {
        return pattern.matches(request.getPath().pathWithinApplication());
    }
}
