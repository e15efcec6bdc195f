package io.stompgate.config;

import io.stompgate.presence.ClusterPresence;
import io.stompgate.presence.PresenceRoutes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Mounts {@code GET /api/presence} (docs/protocol.md §9) while the server API
 * (§10) is not on this branch: only when {@code gateway.api.key} is set, and
 * behind an {@code X-API-Key} check of its own (compared in constant time, never
 * logged); without a key {@code /api/presence} is not served (404). Once the
 * server API's routes exist, {@link PresenceRoutes#routes} belongs among them,
 * behind their key check, and this class goes.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gateway.api.key")
public class PresenceApiConfiguration {

    static final String KEY_HEADER = "X-API-Key";

    @Bean
    RouterFunction<ServerResponse> presenceRoutes(ClusterPresence presence,
            org.springframework.core.env.Environment environment) {
        byte[] expected = sha256(environment.getRequiredProperty("gateway.api.key"));
        return PresenceRoutes.routes(presence).filter((request, next) -> {
            List<String> presented = request.headers().header(KEY_HEADER);
            if (presented.isEmpty() || !MessageDigest.isEqual(expected, sha256(presented.get(0)))) {
                return ServerResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"error\":\"missing or wrong " + KEY_HEADER + "\"}");
            }
            return next.handle(request);
        });
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
