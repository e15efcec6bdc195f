package io.stompgate.ops;

import io.stompgate.session.SessionRegistry;
import io.stompgate.transport.EndpointPath;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** While the node drains, new STOMP handshakes get 503 (with Retry-After) instead of an upgrade. */
public final class DrainFilter implements WebFilter, Ordered {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DrainFilter.class);
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lastLogNanos = new java.util.concurrent.atomic.AtomicLong();

    private final EndpointPath endpoint;
    private final SessionRegistry registry;

    public DrainFilter(String endpoint, SessionRegistry registry) {
        this.endpoint = new EndpointPath(endpoint);
        this.registry = registry;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!registry.isDraining() || !endpoint.matches(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        long refusedSoFar = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if ((refusedSoFar == 1 || now - last >= LOG_EVERY_NANOS) && lastLogNanos.compareAndSet(last, now)) {
            // One line a second at most: a drain can meet a reconnect storm.
            log.info("handshake refused: status=503 reason=\"server shutting down\" refused-while-draining={}", refusedSoFar);
        }
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        response.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
        return response.writeWith(Mono.just(response.bufferFactory()
                .wrap("server shutting down\n".getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
