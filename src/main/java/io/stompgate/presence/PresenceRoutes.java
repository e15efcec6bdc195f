package io.stompgate.presence;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/presence?destination=/topic/<key>} (docs/protocol.md §9): the
 * snapshot a {@code /presence/<key>} subscriber gets first, over HTTP. The route
 * itself checks no API key: whoever mounts it puts it behind the server API's key
 * check (docs/protocol.md §10).
 */
public final class PresenceRoutes {

    public static final String PATH = "/api/presence";
    private static final String TOPIC = "/topic/";

    private PresenceRoutes() {
    }

    public static RouterFunction<ServerResponse> routes(ClusterPresence presence) {
        return RouterFunctions.route().GET(PATH, request -> snapshot(presence, request)).build();
    }

    private static Mono<ServerResponse> snapshot(ClusterPresence presence, ServerRequest request) {
        String destination = request.queryParam("destination").orElse(null);
        if (destination == null || !destination.startsWith(TOPIC) || destination.length() == TOPIC.length()) {
            return error(HttpStatus.BAD_REQUEST, "destination must be a topic such as /topic/chat.room1");
        }
        String key = destination.substring(TOPIC.length());
        for (String word : key.split("\\.", -1)) {
            if (word.equals("*") || word.equals("#")) {
                return error(HttpStatus.BAD_REQUEST, "destination must be a concrete topic, without wildcards");
            }
        }
        if (key.length() > 255 || !presence.tracks(key)) {
            return error(HttpStatus.BAD_REQUEST, "destination is not under presence (gateway.presence.destinations)");
        }
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(presence.snapshot(key));
    }

    private static Mono<ServerResponse> error(HttpStatus status, String message) {
        StringBuilder json = new StringBuilder("{\"error\":");
        PresenceJson.string(json, message).append('}');
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(json.toString());
    }
}
