package io.stompgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import io.stompgate.testing.Tokens;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Keys from a JWKS endpoint: cached, refetched when a token names a key not yet seen, rate-limited. */
class JwksKeysTest {

    private HttpServer server;
    private final AtomicReference<String> document = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<java.util.concurrent.CountDownLatch> gate = new AtomicReference<>();
    private final AtomicInteger emptyAnswers = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            java.util.concurrent.CountDownLatch g = gate.get();
            if (g != null) {
                try {
                    g.await(10, java.util.concurrent.TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = emptyAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? new byte[0] : document.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static String token(KeyPair pair, String kid, String subject) {
        return Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), Tokens.claims(subject).build(),
                new RSASSASigner(pair.getPrivate()));
    }

    private void publish(KeyPair... keys) {
        JWKSet set = new JWKSet(java.util.Arrays.stream(keys).map(k -> (com.nimbusds.jose.jwk.JWK)
                new RSAKey.Builder((RSAPublicKey) k.getPublic()).keyID("kid-" + System.identityHashCode(k)).build()).toList());
        document.set(set.toString());
    }

    private JwtVerifier verifier(Clock clock) {
        String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
        return new JwtVerifier(new JwtVerifier.Settings(null, null, uri, Set.of(JWSAlgorithm.RS256), "sub", null, null,
                Duration.ZERO, true, List.of()), clock);
    }

    @Test
    void aTokenSignedWithAPublishedKeyIsAcceptedAndTheKeysAreCached() throws Exception {
        KeyPair key = rsa();
        publish(key);
        JwtVerifier verifier = verifier(Clock.systemUTC());
        String kid = "kid-" + System.identityHashCode(key);
        StepVerifier.create(verifier.verify(token(key, kid, "alice"))).assertNext(i -> assertThat(i.name()).isEqualTo("alice"))
                .verifyComplete();
        StepVerifier.create(verifier.verify(token(key, kid, "bob"))).assertNext(i -> assertThat(i.name()).isEqualTo("bob"))
                .verifyComplete();
        assertThat(fetches.get()).as("fetched once, then cached").isEqualTo(1);
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesItAndRandomKidsCannotHammerTheEndpoint() throws Exception {
        KeyPair first = rsa();
        KeyPair second = rsa();
        publish(first);
        java.time.Instant[] now = {java.time.Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = clockAt(now);
        JwtVerifier verifier = verifier(clock);
        String firstKid = "kid-" + System.identityHashCode(first);
        String secondKid = "kid-" + System.identityHashCode(second);
        StepVerifier.create(verifier.verify(tokenAt(first, firstKid, now[0]))).expectNextCount(1).verifyComplete();

        publish(first, second); // the issuer rotates in a new key
        // Within the refresh interval an unknown kid does not trigger another fetch: refused.
        now[0] = now[0].plusSeconds(5);
        StepVerifier.create(verifier.verify(tokenAt(second, secondKid, now[0]))).expectError(TokenRejectedException.class).verify();
        assertThat(fetches.get()).isEqualTo(1);
        // After it, the unknown kid makes the verifier fetch the keys again, and the token passes.
        now[0] = now[0].plus(JwksKeys.MIN_REFRESH_INTERVAL);
        StepVerifier.create(verifier.verify(tokenAt(second, secondKid, now[0]))).expectNextCount(1).verifyComplete();
        assertThat(fetches.get()).isEqualTo(2);
    }

    private static String tokenAt(KeyPair key, String kid, java.time.Instant now) {
        return Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("rotated")
                        .expirationTime(java.util.Date.from(now.plusSeconds(600))).build(),
                new RSASSASigner(key.getPrivate()));
    }

    @Test
    void tokensArrivingWhileTheKeysAreBeingFetchedWaitForThatFetch() throws Exception {
        KeyPair key = rsa();
        publish(key);
        gate.set(new java.util.concurrent.CountDownLatch(1));
        JwtVerifier verifier = verifier(Clock.systemUTC());
        String kid = "kid-" + System.identityHashCode(key);

        List<java.util.concurrent.CompletableFuture<String>> names = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            names.add(verifier.verify(token(key, kid, "user" + i)).map(identity -> identity.name()).toFuture());
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fetches.get() == 1);
        gate.get().countDown();

        for (int i = 0; i < 5; i++) {
            assertThat(names.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("user" + i);
        }
        assertThat(fetches.get()).as("one fetch served them all").isEqualTo(1);
    }

    @Test
    void anEmptyAnswerFromTheEndpointDoesNotStopLaterRefreshes() throws Exception {
        KeyPair key = rsa();
        publish(key);
        emptyAnswers.set(1);
        java.time.Instant[] now = {java.time.Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = clockAt(now);
        JwtVerifier verifier = verifier(clock);
        String kid = "kid-" + System.identityHashCode(key);
        StepVerifier.create(verifier.verify(tokenAt(key, kid, now[0]))).expectError(TokenRejectedException.class).verify();

        now[0] = now[0].plus(JwksKeys.MIN_REFRESH_INTERVAL).plusSeconds(1);
        StepVerifier.create(verifier.verify(tokenAt(key, kid, now[0]))).expectNextCount(1).verifyComplete();
        assertThat(fetches.get()).isEqualTo(2);
    }

    /** A clock that reads {@code now[0]}, so a test can move time on. */
    private static Clock clockAt(java.time.Instant[] now) {
        return new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return now[0];
            }
        };
    }
}
