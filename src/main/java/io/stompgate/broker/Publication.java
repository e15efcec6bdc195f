package io.stompgate.broker;

/**
 * A message to publish, where to, and on whose behalf: application backends see
 * the sender's principal, session and node ({@code stomp-user}, {@code stomp-session},
 * {@code stomp-node} on {@code /app} messages).
 */
public record Publication(Address address, BrokerMessage message, String user, String sessionId) {
}
