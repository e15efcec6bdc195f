package io.stompgate.testing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Gives a node started by {@link GatewayNode} its own Netty event loops, so
 * stopping one node in a multi-node test does not dispose the loops every other
 * node (and every test client) shares by default.
 */
@Configuration(proxyBeanMethods = false)
public class IsolatedNettyResources {

    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setShutdownQuietPeriod(java.time.Duration.ZERO);
        return factory;
    }
}
