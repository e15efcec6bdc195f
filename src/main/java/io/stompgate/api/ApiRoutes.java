package io.stompgate.api;

import io.stompgate.broker.BrokerException;
import io.stompgate.presence.ClusterPresence;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side of the server API (docs/protocol.md §10), as WebFlux functional routes.
 * Every {@code /api/**} route sits behind the key check, so no request reaches a handler,
 * nor has its body read, without the right {@code X-API-Key}; the check runs on the routes
 * themselves rather than in a filter on raw paths, so a path that routes to the API
 * (percent-encoded, say) cannot slip past it. Requests are read with WebFlux's Jackson
 * codec, strictly (unknown fields and trailing data are errors), bounded in size;
 * responses are JSON. Neither the key nor a message body is ever logged.
 */
public final class ApiRoutes {

    /** The request header that carries the API key. */
    public static final String KEY_HEADER = "X-API-Key";
    public static final String PUBLISH_PATH = "/api/publish";
    /** {@code GET /api/presence?destination=/topic/<key>}: the presence snapshot (docs/protocol.md §9). */
    public static final String PRESENCE_PATH = "/api/presence";
    static final String ALL_PATHS = "/api/**";

    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;
    private static final ResolvableType REQUEST_TYPE = ResolvableType.forClass(PublishRequest.class);

    /** A response body: what was published. */
    public record Published(String messageId) {
    }

    /** A response body: what is wrong. */
    public record ApiError(String error) {
    }

    private final ApiKey key;
    private final ApiPublisher publisher;
    private final ClusterPresence presence;
    private final JacksonJsonDecoder decoder;
    private final int maxRequestBytes;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastRefusalLogNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    private ApiRoutes(ApiKey key, ApiPublisher publisher, ClusterPresence presence, JsonMapper jsonMapper,
            int maxRequestBytes) {
        this.key = key;
        this.publisher = publisher;
        this.presence = presence;
        this.maxRequestBytes = maxRequestBytes;
        this.decoder = new JacksonJsonDecoder(jsonMapper.rebuild()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build());
        this.decoder.setMaxInMemorySize(maxRequestBytes);
    }

    /**
     * The API, on: {@code POST /api/publish}, {@code GET /api/presence} and, for any other
     * {@code /api/**} request with the right key, 404 (405 for another method on either path).
     *
     * @param maxRequestBytes the largest request body read; a larger one gets 400
     */
    public static RouterFunction<ServerResponse> enabled(ApiKey key, ApiPublisher publisher, ClusterPresence presence,
            JsonMapper jsonMapper, int maxRequestBytes) {
        ApiRoutes routes = new ApiRoutes(key, publisher, presence, jsonMapper, maxRequestBytes);
        return RouterFunctions.route()
                .POST(PUBLISH_PATH, routes::publish)
                .route(RequestPredicates.path(PUBLISH_PATH), request -> ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
                        .allow(HttpMethod.POST).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(new ApiError("use POST " + PUBLISH_PATH)))
                .GET(PRESENCE_PATH, routes::presence)
                .route(RequestPredicates.path(PRESENCE_PATH), request -> ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
                        .allow(HttpMethod.GET).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(new ApiError("use GET " + PRESENCE_PATH + "?destination=/topic/<key>")))
                .route(RequestPredicates.path(ALL_PATHS), request -> error(HttpStatus.NOT_FOUND,
                        "no API endpoint at " + request.method() + " " + abbreviatedPath(request)))
                .filter(routes.keyCheck())
                .build();
    }

    /** The API, off (no {@code gateway.api.key}): every {@code /api/**} request gets 404, whatever it carries. */
    public static RouterFunction<ServerResponse> disabled() {
        return RouterFunctions.route(RequestPredicates.path(ALL_PATHS), request -> ServerResponse.notFound().build());
    }

    /** The largest request body worth reading for frames of at most {@code maxFrameBytes}: room for JSON escapes. */
    public static int maxRequestBytes(int maxFrameBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(256L * 1024, 2L * maxFrameBytes + 16 * 1024));
    }

    private HandlerFilterFunction<ServerResponse, ServerResponse> keyCheck() {
        return (request, next) -> {
            List<String> presented = request.headers().header(KEY_HEADER);
            if (presented.isEmpty()) {
                return unauthorized(request, "missing " + KEY_HEADER + " header");
            }
            if (!key.matches(presented.get(0))) {
                return unauthorized(request, "wrong " + KEY_HEADER);
            }
            return next.handle(request);
        };
    }

    private Mono<ServerResponse> unauthorized(ServerRequest request, String reason) {
        long refusedSoFar = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLogNanos.get();
        if (now - last >= LOG_EVERY_NANOS && lastRefusalLogNanos.compareAndSet(last, now)) {
            // One line a second at most: a client retrying with a bad key must not flood the log.
            log.info("api request refused: status=401 reason=\"{}\" remote={} refused-so-far={}", reason,
                    request.remoteAddress().map(InetSocketAddress::getHostString).orElse("unknown"), refusedSoFar);
        }
        return ServerResponse.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, KEY_HEADER)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(new ApiError(reason));
    }

    private Mono<ServerResponse> publish(ServerRequest request) {
        return decoder.decodeToMono(request.body(BodyExtractors.toDataBuffers()), REQUEST_TYPE,
                        MediaType.APPLICATION_JSON, Map.of())
                .cast(PublishRequest.class)
                .switchIfEmpty(Mono.error(() -> new PublishRefusedException(
                        "malformed JSON: the request has no body; send {\"destination\": ..., \"body\": ...}")))
                .flatMap(publisher::publish)
                .flatMap(messageId -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(new Published(messageId)))
                .onErrorResume(this::failure);
    }

    /** The snapshot of a concrete topic under presence, as its {@code /presence/<key>} subscribers get first. */
    private Mono<ServerResponse> presence(ServerRequest request) {
        String destination = request.queryParam("destination").orElse(null);
        String topic = "/topic/";
        if (destination == null || !destination.startsWith(topic) || destination.length() == topic.length()) {
            return error(HttpStatus.BAD_REQUEST, "destination must be a topic such as /topic/chat.lobby");
        }
        String key = destination.substring(topic.length());
        for (String word : key.split("\\.", -1)) {
            if (word.equals("*") || word.equals("#")) {
                return error(HttpStatus.BAD_REQUEST, "destination must be a concrete topic, without wildcards");
            }
        }
        if (key.length() > 255 || !presence.tracks(key)) {
            return error(HttpStatus.BAD_REQUEST, "'" + abbreviate(destination)
                    + "' is not under presence (gateway.presence.destinations)");
        }
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(presence.snapshot(key));
    }

    private Mono<ServerResponse> failure(Throwable e) {
        if (e instanceof PublishRefusedException) {
            return error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        if (e instanceof DataBufferLimitException || e.getCause() instanceof DataBufferLimitException) {
            return error(HttpStatus.BAD_REQUEST, "request larger than " + maxRequestBytes + " bytes; a message's body "
                    + "and headers may make a SEND frame of at most gateway.limits.max-frame-bytes");
        }
        JacksonException json = jacksonCause(e);
        if (json != null || e instanceof DecodingException) {
            return error(HttpStatus.BAD_REQUEST, "malformed JSON: " + describe(json));
        }
        if (e instanceof BrokerException) {
            return error(HttpStatus.SERVICE_UNAVAILABLE, "message not accepted: " + e.getMessage());
        }
        log.warn("api request failed: {}", e.toString());
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    private static JacksonException jacksonCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException j) {
                return j;
            }
        }
        return null;
    }

    /** What is wrong with the JSON, by field and position; never the request's content. */
    private static String describe(JacksonException e) {
        if (e == null) {
            return "the request body must be one JSON object with destination, body, headers and contentType";
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + abbreviate(unknown.getPropertyName())
                    + "'; the fields are destination, body, headers and contentType";
        }
        String field = fieldPath(e);
        String what;
        if (field != null) {
            what = "field '" + field + "' has the wrong type (destination, body and contentType are strings, "
                    + "headers an object of strings)";
        }
        else if (e instanceof StreamReadException) {
            what = "not valid JSON";
        }
        else {
            what = "the request body must be one JSON object with destination, body, headers and contentType";
        }
        TokenStreamLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            what += " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        }
        return what;
    }

    private static String fieldPath(JacksonException e) {
        List<JacksonException.Reference> path = e.getPath();
        if (path == null || path.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(abbreviate(ref.getPropertyName()));
            }
            else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static Mono<ServerResponse> error(HttpStatus status, String message) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(new ApiError(message));
    }

    private static String abbreviatedPath(ServerRequest request) {
        return abbreviate(request.path());
    }

    private static String abbreviate(String s) {
        return ApiPublisher.abbreviate(s);
    }
}
