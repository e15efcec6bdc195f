package io.stompgate.config;

import io.stompgate.auth.HandshakeFilter;
import io.stompgate.auth.HeaderAuthentication;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Identity at the handshake and at CONNECT, by {@code gateway.auth.mode}. */
@Configuration(proxyBeanMethods = false)
public class AuthConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthConfiguration.class);

    @Bean
    @ConditionalOnProperty(name = "gateway.auth.mode", havingValue = "header", matchIfMissing = true)
    HeaderAuthentication headerAuthentication(GatewayProperties properties) {
        log.warn("gateway.auth.mode=header: identities are NOT verified; the {} header, the 'user' query parameter "
                + "or CONNECT's login is trusted as is. Use it for development or behind an authenticating proxy.",
                properties.auth().header());
        return new HeaderAuthentication(properties.auth().header());
    }

    @Bean
    HandshakeFilter handshakeFilter(GatewayProperties properties, io.stompgate.auth.HandshakeAuthenticator authenticator) {
        return new HandshakeFilter(properties.endpoint(), properties.allowedOrigins(), authenticator);
    }
}
