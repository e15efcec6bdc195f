package io.stompgate.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Verification keys from a JWKS endpoint, cached. A token whose {@code kid} is
 * not in the cache triggers a refresh (a key rotation), at most once per
 * {@link #MIN_REFRESH_INTERVAL} so random kids cannot make the node hammer the
 * endpoint. Fetched with a non-blocking client: no event loop waits on it.
 */
final class JwksKeys {

    private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    private final String uri;
    private final HttpClient http;
    private final Clock clock;
    private final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
    private final AtomicReference<Mono<JWKSet>> refreshing = new AtomicReference<>();
    private volatile long lastRefreshMillis = Long.MIN_VALUE / 2;

    JwksKeys(String uri, Clock clock) {
        this.uri = uri;
        this.clock = clock;
        this.http = HttpClient.create().responseTimeout(FETCH_TIMEOUT);
    }

    /** The keys that may have signed a token with {@code kid} (all keys when the token names none). */
    Mono<List<JWK>> keysFor(String kid) {
        List<JWK> cached = select(keys.get(), kid);
        if (!cached.isEmpty()) {
            return Mono.just(cached);
        }
        Mono<JWKSet> running = refreshing.get();
        if (running != null) {
            return running.map(set -> select(set, kid)); // wait for the fetch already under way
        }
        long now = clock.millis();
        if (now - lastRefreshMillis < MIN_REFRESH_INTERVAL.toMillis()) {
            return Mono.just(cached);
        }
        return refresh().map(set -> select(set, kid));
    }

    private Mono<JWKSet> refresh() {
        Mono<JWKSet> current = refreshing.get();
        if (current != null) {
            return current;
        }
        AtomicReference<Mono<JWKSet>> self = new AtomicReference<>();
        Mono<JWKSet> fetch = http.get().uri(uri)
                .responseSingle((response, body) -> response.status().code() == 200
                        ? body.asString()
                        : Mono.error(new IllegalStateException("JWKS endpoint answered " + response.status().code())))
                .timeout(FETCH_TIMEOUT)
                .map(JwksKeys::parse)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("JWKS endpoint answered with no body")))
                .doOnNext(set -> {
                    keys.set(set);
                    log.info("JWKS keys refreshed uri={} keys={}", uri, set.getKeys().size());
                })
                .onErrorResume(e -> {
                    log.warn("JWKS fetch failed uri={}: {}", uri, e.toString());
                    return Mono.just(keys.get());
                })
                // Unmarked before the waiting verifications see the keys (doOnSuccess runs ahead of
                // them), so none of them can find this finished fetch still marked as running.
                .doOnSuccess(set -> refreshing.compareAndSet(self.get(), null))
                .cache();
        self.set(fetch);
        if (!refreshing.compareAndSet(null, fetch)) {
            Mono<JWKSet> other = refreshing.get();
            return other != null ? other : Mono.fromSupplier(keys::get);
        }
        // The interval counts from when a fetch starts: read from the clock here, on the caller's
        // thread, not when the response arrives on another.
        lastRefreshMillis = clock.millis();
        return fetch;
    }

    private static JWKSet parse(String json) {
        try {
            return JWKSet.parse(json);
        }
        catch (java.text.ParseException e) {
            throw new IllegalStateException("JWKS document is malformed");
        }
    }

    private static List<JWK> select(JWKSet set, String kid) {
        return set.getKeys().stream()
                .filter(k -> k.getKeyUse() == null || "sig".equals(k.getKeyUse().identifier()))
                .filter(k -> kid == null || kid.equals(k.getKeyID()))
                .toList();
    }
}
