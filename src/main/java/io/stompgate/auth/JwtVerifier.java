package io.stompgate.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.stompgate.session.Identity;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Verifies signed JWTs (with nimbus-jose-jwt; no cryptography of our own) and
 * turns a good one into an {@link Identity}. What is accepted is explicit:
 * only the configured algorithms ({@code none} never), HMAC only with the
 * configured secret (never with a public key's bytes), RSA and EC only with the
 * configured public key or JWKS keys; {@code exp} required unless configured
 * otherwise, {@code exp} and {@code nbf} checked with a clock skew allowance,
 * issuer and audience when configured.
 */
public final class JwtVerifier {

    /** What the verifier accepts. */
    public record Settings(
            byte[] hmacSecret,
            PublicKey publicKey,
            String jwksUri,
            Set<JWSAlgorithm> algorithms,
            String principalClaim,
            String issuer,
            String audience,
            Duration clockSkew,
            boolean requireExpiry,
            List<String> authorityClaims) {
    }

    private final Settings settings;
    private final JwksKeys jwks;
    private final Clock clock;

    public JwtVerifier(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.jwks = settings.jwksUri() == null ? null : new JwksKeys(settings.jwksUri(), clock);
    }

    /** The identity a token proves, or an error {@link TokenRejectedException} saying why it proves none. */
    public Mono<Identity> verify(String token) {
        SignedJWT jwt;
        try {
            JWT parsed = JWTParser.parse(token.trim());
            if (!(parsed instanceof SignedJWT signed)) {
                return Mono.error(new TokenRejectedException("token is not signed (alg none is not accepted)"));
            }
            jwt = signed;
        }
        catch (ParseException e) {
            return Mono.error(new TokenRejectedException("malformed token"));
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!settings.algorithms().contains(algorithm)) {
            return Mono.error(new TokenRejectedException("token algorithm " + algorithm.getName() + " is not accepted"));
        }
        return verifiers(algorithm, jwt.getHeader().getKeyID())
                .flatMap(verifiers -> Mono.fromCallable(() -> check(jwt, verifiers)));
    }

    private Mono<List<JWSVerifier>> verifiers(JWSAlgorithm algorithm, String kid) {
        try {
            if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
                return settings.hmacSecret() == null ? Mono.just(List.of())
                        : Mono.just(List.of(new MACVerifier(settings.hmacSecret())));
            }
            List<JWSVerifier> verifiers = new ArrayList<>();
            if (settings.publicKey() != null) {
                addVerifier(verifiers, settings.publicKey(), algorithm);
            }
            if (jwks == null) {
                return Mono.just(verifiers);
            }
            return jwks.keysFor(kid).map(keys -> {
                List<JWSVerifier> all = new ArrayList<>(verifiers);
                for (JWK key : keys) {
                    try {
                        if (key instanceof RSAKey rsa) {
                            addVerifier(all, rsa.toRSAPublicKey(), algorithm);
                        }
                        else if (key instanceof ECKey ec) {
                            addVerifier(all, ec.toECPublicKey(), algorithm);
                        }
                    }
                    catch (JOSEException e) {
                        // an unusable key in the set: skip it
                    }
                }
                return all;
            });
        }
        catch (JOSEException e) {
            return Mono.error(new TokenRejectedException("token cannot be verified"));
        }
    }

    private static void addVerifier(List<JWSVerifier> verifiers, PublicKey key, JWSAlgorithm algorithm) throws JOSEException {
        if (key instanceof RSAPublicKey rsa && JWSAlgorithm.Family.RSA.contains(algorithm)) {
            verifiers.add(new RSASSAVerifier(rsa));
        }
        else if (key instanceof ECPublicKey ec && JWSAlgorithm.Family.EC.contains(algorithm)) {
            verifiers.add(new ECDSAVerifier(ec));
        }
    }

    private Identity check(SignedJWT jwt, List<JWSVerifier> verifiers) {
        if (verifiers.isEmpty()) {
            throw new TokenRejectedException("no key to verify the token with");
        }
        boolean valid = false;
        for (JWSVerifier verifier : verifiers) {
            try {
                if (jwt.verify(verifier)) {
                    valid = true;
                    break;
                }
            }
            catch (JOSEException | IllegalStateException e) {
                // wrong key type or size for this verifier: try the next
            }
        }
        if (!valid) {
            throw new TokenRejectedException("token signature is invalid");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        }
        catch (ParseException e) {
            throw new TokenRejectedException("malformed token claims");
        }
        Instant now = clock.instant();
        long skew = settings.clockSkew().toMillis();
        Date exp = claims.getExpirationTime();
        if (exp == null && settings.requireExpiry()) {
            throw new TokenRejectedException("token has no expiry (exp)");
        }
        if (exp != null && now.toEpochMilli() > exp.getTime() + skew) {
            throw new TokenRejectedException("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.toEpochMilli() + skew < nbf.getTime()) {
            throw new TokenRejectedException("token not yet valid");
        }
        if (settings.issuer() != null && !settings.issuer().equals(claims.getIssuer())) {
            throw new TokenRejectedException("token issuer is not accepted");
        }
        if (settings.audience() != null && (claims.getAudience() == null || !claims.getAudience().contains(settings.audience()))) {
            throw new TokenRejectedException("token audience is not accepted");
        }
        Object principal = claims.getClaim(settings.principalClaim());
        if (!(principal instanceof String name)) {
            throw new TokenRejectedException("token has no string '" + settings.principalClaim() + "' claim");
        }
        String problem = Principals.problem(name);
        if (problem != null) {
            throw new TokenRejectedException(problem);
        }
        return new Identity(name, authorities(claims), exp == null ? null : exp.toInstant().plusMillis(skew));
    }

    /** {@code roles} become {@code role:x}, {@code scope} and {@code scp} {@code scope:x}, others {@code <claim>:x}. */
    private Set<String> authorities(JWTClaimsSet claims) {
        Set<String> authorities = new LinkedHashSet<>();
        Map<String, Object> all = claims.getClaims();
        for (String claim : settings.authorityClaims()) {
            Object value = all.get(claim);
            String prefix = switch (claim) {
                case "roles", "role" -> "role:";
                case "scope", "scp" -> "scope:";
                default -> claim + ":";
            };
            if (value instanceof String s) {
                for (String part : s.split("[\\s,]+")) {
                    if (!part.isEmpty()) {
                        authorities.add(prefix + part);
                    }
                }
            }
            else if (value instanceof Collection<?> c) {
                for (Object o : c) {
                    if (o instanceof String s && !s.isEmpty()) {
                        authorities.add(prefix + s);
                    }
                }
            }
        }
        return authorities;
    }

    /** The HMAC secret's bytes; a secret given as text is its UTF-8 encoding. */
    public static byte[] secretBytes(String secret) {
        return secret.getBytes(StandardCharsets.UTF_8);
    }
}
