package io.stompgate.config;

import io.stompgate.api.ApiKey;
import io.stompgate.api.ApiPublisher;
import io.stompgate.api.ApiRoutes;
import io.stompgate.broker.MessageBroker;
import io.stompgate.presence.ClusterPresence;
import io.stompgate.session.SessionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/** The server API over HTTP (docs/protocol.md §10): on with {@code gateway.api.key}, else 404 for {@code /api/**}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
public class ApiConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiConfiguration.class);

    @Bean
    RouterFunction<ServerResponse> apiRoutes(ApiProperties api, MessageBroker broker, SessionOptions options,
            ClusterPresence presence, JsonMapper jsonMapper) {
        if (!api.enabled()) {
            log.info("server API off: /api/** answers 404 (set gateway.api.key to turn it on)");
            return ApiRoutes.disabled();
        }
        int maxFrameBytes = options.limits().maxFrameBytes();
        log.info("server API on: POST {} and GET {} with the {} header", ApiRoutes.PUBLISH_PATH, ApiRoutes.PRESENCE_PATH,
                ApiRoutes.KEY_HEADER);
        return ApiRoutes.enabled(new ApiKey(api.key()), new ApiPublisher(broker, options.limits()), presence,
                jsonMapper, ApiRoutes.maxRequestBytes(maxFrameBytes));
    }
}
