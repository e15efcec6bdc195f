package io.stompgate.api;

import java.util.Map;

/**
 * The JSON body of {@code POST /api/publish}: where to, the message's body (UTF-8
 * text), its custom headers and its content type. Only {@code destination} is required.
 */
public record PublishRequest(String destination, String body, Map<String, String> headers, String contentType) {
}
