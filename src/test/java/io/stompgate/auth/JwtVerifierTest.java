package io.stompgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import io.stompgate.session.Identity;
import io.stompgate.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Each attack a verifier must refuse, and what it must accept. */
class JwtVerifierTest {

    private static JwtVerifier.Settings settings(byte[] secret, java.security.PublicKey key, Set<JWSAlgorithm> algorithms,
            String issuer, String audience, String principalClaim) {
        return new JwtVerifier.Settings(secret, key, null, algorithms, principalClaim, issuer, audience,
                Duration.ZERO, true, List.of("roles", "scope", "scp"));
    }

    private static final JwtVerifier HMAC = new JwtVerifier(settings(Tokens.SECRET.getBytes(StandardCharsets.UTF_8),
            null, Set.of(JWSAlgorithm.HS256), null, null, "sub"), Clock.systemUTC());
    private static final JwtVerifier RSA = new JwtVerifier(settings(null, Tokens.RSA.getPublic(),
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), null, null, "sub"), Clock.systemUTC());

    private static void refused(JwtVerifier verifier, String token, String reason) {
        StepVerifier.create(verifier.verify(token))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(TokenRejectedException.class);
                    assertThat(e.getMessage()).contains(reason);
                    assertThat(e.getMessage()).doesNotContain(token);
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void validHs256TokenGivesThePrincipalAndItsAuthorities() {
        String token = Tokens.hs256(Tokens.with("alice", b -> b.claim("roles", List.of("admin"))
                .claim("scope", "chat.read chat.write")));
        Identity identity = HMAC.verify(token).block();
        assertThat(identity.name()).isEqualTo("alice");
        assertThat(identity.authorities()).containsExactlyInAnyOrder("role:admin", "scope:chat.read", "scope:chat.write");
        assertThat(identity.expiresAt()).isNotNull();
    }

    @Test
    void validRs256AndEs256TokensAreAccepted() {
        JwtVerifier ec = new JwtVerifier(settings(null, Tokens.EC.getPublic(), Set.of(JWSAlgorithm.ES256), null, null, "sub"),
                Clock.systemUTC());
        assertThat(RSA.verify(Tokens.rs256(Tokens.claims("bob").build())).block().name()).isEqualTo("bob");
        assertThat(ec.verify(Tokens.es256(Tokens.claims("carol").build())).block().name()).isEqualTo("carol");
    }

    @Test
    void expiredTokenIsRefused() {
        refused(HMAC, Tokens.hs256(Tokens.with("a", b -> b.expirationTime(Date.from(Instant.now().minusSeconds(5))))),
                "token expired");
    }

    @Test
    void tokenNotYetValidIsRefused() {
        refused(HMAC, Tokens.hs256(Tokens.with("a", b -> b.notBeforeTime(Date.from(Instant.now().plusSeconds(60))))),
                "not yet valid");
    }

    @Test
    void clockSkewAllowsARecentlyExpiredToken() {
        JwtVerifier lenient = new JwtVerifier(new JwtVerifier.Settings(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), null,
                null, Set.of(JWSAlgorithm.HS256), "sub", null, null, Duration.ofSeconds(30), true, List.of()), Clock.systemUTC());
        String token = Tokens.hs256(Tokens.with("a", b -> b.expirationTime(Date.from(Instant.now().minusSeconds(5)))));
        assertThat(lenient.verify(token).block().name()).isEqualTo("a");
    }

    @Test
    void tokenWithoutExpiryIsRefusedByDefault() {
        refused(HMAC, Tokens.hs256(Tokens.with("a", b -> b.expirationTime(null))), "no expiry");
    }

    @Test
    void wrongSignatureIsRefused() {
        String other = Tokens.sign(JWSAlgorithm.HS256, Tokens.claims("a").build(),
                Tokens.macSigner("another-secret-that-is-also-long-enough!!".getBytes(StandardCharsets.UTF_8)));
        refused(HMAC, other, "signature is invalid");
    }

    @Test
    void algNoneIsRefused() {
        refused(HMAC, Tokens.none(Tokens.claims("admin").build()), "not signed");
        refused(RSA, Tokens.none(Tokens.claims("admin").build()), "not signed");
    }

    @Test
    void hmacTokenSignedWithThePublicKeyBytesIsRefused() {
        // The classic key-confusion attack: HS256 with the RSA public key as the HMAC secret.
        String forged = Tokens.sign(JWSAlgorithm.HS256, Tokens.claims("admin").build(),
                Tokens.macSigner(Tokens.RSA.getPublic().getEncoded()));
        refused(RSA, forged, "algorithm HS256 is not accepted");
        String forgedPem = Tokens.sign(JWSAlgorithm.HS256, Tokens.claims("admin").build(),
                Tokens.macSigner(Tokens.pem(Tokens.RSA).getBytes(StandardCharsets.UTF_8)));
        refused(RSA, forgedPem, "algorithm HS256 is not accepted");
    }

    @Test
    void algorithmOutsideTheAcceptedListIsRefused() {
        String hs512 = Tokens.sign(JWSAlgorithm.HS512, Tokens.claims("a").build(),
                Tokens.macSigner((Tokens.SECRET + Tokens.SECRET).getBytes(StandardCharsets.UTF_8)));
        refused(HMAC, hs512, "algorithm HS512 is not accepted");
    }

    @Test
    void wrongIssuerAndAudienceAreRefused() {
        JwtVerifier strict = new JwtVerifier(settings(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), null,
                Set.of(JWSAlgorithm.HS256), "https://issuer.example", "gateway", "sub"), Clock.systemUTC());
        refused(strict, Tokens.hs256(Tokens.with("a", b -> b.issuer("https://evil.example").audience("gateway"))), "issuer");
        refused(strict, Tokens.hs256(Tokens.with("a", b -> b.issuer("https://issuer.example").audience("other"))), "audience");
        assertThat(strict.verify(Tokens.hs256(Tokens.with("a", b -> b.issuer("https://issuer.example").audience("gateway"))))
                .block().name()).isEqualTo("a");
    }

    @Test
    void tamperedPayloadIsRefused() {
        String token = Tokens.hs256(Tokens.claims("alice").build());
        refused(HMAC, Tokens.tamper(token, Tokens.claims("admin").build()), "signature is invalid");
    }

    @Test
    void principalComesFromTheConfiguredClaim() {
        JwtVerifier custom = new JwtVerifier(settings(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), null,
                Set.of(JWSAlgorithm.HS256), null, null, "preferred_username"), Clock.systemUTC());
        assertThat(custom.verify(Tokens.hs256(Tokens.with("id-123", b -> b.claim("preferred_username", "dana"))))
                .block().name()).isEqualTo("dana");
        refused(custom, Tokens.hs256(Tokens.claims("id-123").build()), "preferred_username");
    }

    @Test
    void malformedTokenIsRefused() {
        refused(HMAC, "not-a-jwt", "malformed");
        refused(HMAC, "a.b.c", "malformed");
    }

    @Test
    void rsaTokenWithAnotherKeyIsRefused() {
        String token = Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), Tokens.claims("a").build(),
                new com.nimbusds.jose.crypto.RSASSASigner(generateRsa().getPrivate()));
        refused(RSA, token, "signature is invalid");
    }

    private static java.security.KeyPair generateRsa() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
