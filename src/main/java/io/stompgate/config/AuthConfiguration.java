package io.stompgate.config;

import com.nimbusds.jose.JWSAlgorithm;
import io.stompgate.auth.DestinationRules;
import io.stompgate.auth.HandshakeAuthenticator;
import io.stompgate.auth.HandshakeFilter;
import io.stompgate.auth.HeaderAuthentication;
import io.stompgate.auth.JwtAuthentication;
import io.stompgate.auth.JwtVerifier;
import io.stompgate.auth.PublicKeys;
import io.stompgate.session.DestinationPolicy;
import java.security.PublicKey;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Identity at the handshake and at CONNECT, by {@code gateway.auth.mode}, and
 * destination authorization by {@code gateway.authz.rules}. A bad setting stops
 * start-up with a message naming the property.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthzProperties.class)
public class AuthConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthConfiguration.class);
    static final int MIN_HMAC_SECRET_BYTES = 32;

    @Bean
    @ConditionalOnProperty(name = "gateway.auth.mode", havingValue = "header", matchIfMissing = true)
    HeaderAuthentication headerAuthentication(GatewayProperties properties) {
        log.warn("gateway.auth.mode=header: identities are NOT verified; the {} header, the 'user' query parameter "
                + "or CONNECT's login is trusted as is. Use it for development or behind an authenticating proxy.",
                properties.auth().header());
        return new HeaderAuthentication(properties.auth().header());
    }

    @Bean
    @ConditionalOnProperty(name = "gateway.auth.mode", havingValue = "jwt")
    JwtAuthentication jwtAuthentication(GatewayProperties properties) {
        return new JwtAuthentication(new JwtVerifier(jwtSettings(properties.auth().jwt()), Clock.systemUTC()));
    }

    @Bean
    HandshakeFilter handshakeFilter(GatewayProperties properties, HandshakeAuthenticator authenticator) {
        return new HandshakeFilter(properties.endpoint(), properties.allowedOrigins(), authenticator);
    }

    @Bean
    DestinationPolicy destinationPolicy(AuthzProperties authz) {
        DestinationRules rules = new DestinationRules(authz.rules());
        if (rules.size() > 0) {
            log.info("destination authorization: {} rule(s)", rules.size());
        }
        return rules;
    }

    /** Checks the {@code gateway.auth.jwt.*} settings and turns them into what the verifier needs. */
    static JwtVerifier.Settings jwtSettings(GatewayProperties.Jwt jwt) {
        String prefix = "gateway.auth.jwt.";
        byte[] secret = null;
        if (jwt.hmacSecret() != null && !jwt.hmacSecret().isEmpty()) {
            secret = JwtVerifier.secretBytes(jwt.hmacSecret());
            if (secret.length < MIN_HMAC_SECRET_BYTES) {
                throw new IllegalArgumentException(prefix + "hmac-secret must be at least 256 bits (32 bytes), was "
                        + secret.length * 8 + " bits");
            }
        }
        PublicKey publicKey = null;
        if (jwt.publicKey() != null && !jwt.publicKey().isBlank()) {
            publicKey = PublicKeys.read(jwt.publicKey(), prefix + "public-key");
        }
        String jwksUri = jwt.jwksUri() == null || jwt.jwksUri().isBlank() ? null : jwt.jwksUri();
        if (jwksUri != null && !jwksUri.startsWith("https://") && !jwksUri.startsWith("http://")) {
            throw new IllegalArgumentException(prefix + "jwks-uri must be an http(s) URL, was '" + jwksUri + "'");
        }
        boolean asymmetric = publicKey != null || jwksUri != null;
        if (secret == null && !asymmetric) {
            throw new IllegalArgumentException("gateway.auth.mode=jwt needs " + prefix + "hmac-secret, " + prefix
                    + "public-key or " + prefix + "jwks-uri");
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        List<String> configured = jwt.algorithms();
        if (configured == null || configured.isEmpty()) {
            if (secret != null) {
                algorithms.add(JWSAlgorithm.HS256);
            }
            if (asymmetric) {
                algorithms.add(JWSAlgorithm.RS256);
                algorithms.add(JWSAlgorithm.ES256);
            }
        }
        else {
            for (String name : configured) {
                String n = name.trim().toUpperCase(Locale.ROOT);
                if (n.equals("NONE")) {
                    throw new IllegalArgumentException(prefix + "algorithms must not include none");
                }
                JWSAlgorithm algorithm = JWSAlgorithm.parse(n);
                boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(algorithm);
                boolean signature = JWSAlgorithm.Family.RSA.contains(algorithm) || JWSAlgorithm.Family.EC.contains(algorithm);
                if (!hmac && !signature) {
                    throw new IllegalArgumentException(prefix + "algorithms: unknown algorithm '" + name + "'");
                }
                if (hmac && secret == null) {
                    throw new IllegalArgumentException(prefix + "algorithms includes " + n + " but " + prefix
                            + "hmac-secret is not set (an HMAC is never checked with a public key)");
                }
                if (signature && !asymmetric) {
                    throw new IllegalArgumentException(prefix + "algorithms includes " + n + " but neither " + prefix
                            + "public-key nor " + prefix + "jwks-uri is set");
                }
                algorithms.add(algorithm);
            }
        }
        if (jwt.principalClaim() == null || jwt.principalClaim().isBlank()) {
            throw new IllegalArgumentException(prefix + "principal-claim must name a claim");
        }
        if (jwt.clockSkew().isNegative()) {
            throw new IllegalArgumentException(prefix + "clock-skew must not be negative");
        }
        log.info("gateway.auth.mode=jwt: algorithms={} key={} issuer={} audience={}", algorithms,
                secret != null ? "hmac-secret" : publicKey != null ? "public-key" : "jwks-uri",
                jwt.issuer(), jwt.audience());
        return new JwtVerifier.Settings(secret, publicKey, jwksUri, Set.copyOf(algorithms), jwt.principalClaim(),
                blankToNull(jwt.issuer()), blankToNull(jwt.audience()), jwt.clockSkew(), jwt.requireExpiry(),
                jwt.authorityClaims());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
