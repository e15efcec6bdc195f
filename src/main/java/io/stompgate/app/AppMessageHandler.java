package io.stompgate.app;

import reactor.core.publisher.Mono;

/**
 * Application logic that runs inside the gateway and takes SENDs to
 * {@code /app/<key>}, in {@code local} broker mode (in {@code rabbitmq} mode those
 * go to the {@code stomp.app} exchange, for backends in any language). Declare
 * one as a Spring bean; answer clients through {@link GatewayMessenger}.
 */
public interface AppMessageHandler {

    /** The keys this handler takes, as a topic pattern: {@code chat.*} takes {@code /app/chat.lobby}. */
    String pattern();

    /**
     * Handles one message; the sender's RECEIPT waits for the returned Mono, and
     * an error reaches the sender as an ERROR frame.
     */
    Mono<Void> handle(AppMessage message);
}
