package io.stompgate.app;

import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;

/**
 * A client's SEND to {@code /app/<key>}, as an in-JVM application handler sees
 * it: who sent it (principal and session) and what they sent.
 */
public record AppMessage(String key, String user, String sessionId, StompHeaders headers, byte[] body) {

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
