package io.stompgate.app;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.Publication;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Sends messages to clients from code running in the gateway, through whichever
 * broker the node uses: to every subscriber of a topic, or to every session of
 * one user. Completes when the broker has accepted the message.
 */
public final class GatewayMessenger {

    private final MessageBroker broker;

    public GatewayMessenger(MessageBroker broker) {
        this.broker = Objects.requireNonNull(broker, "broker");
    }

    /** To subscribers of {@code /topic/<key>}. */
    public Mono<Void> sendToTopic(String key, StompHeaders headers, byte[] body) {
        return broker.publish(new Publication(new Address.Topic(key), new BrokerMessage(headers, body), null, null));
    }

    /** To subscribers of {@code /topic/<key>}, a UTF-8 text body. */
    public Mono<Void> sendTextToTopic(String key, String contentType, String body) {
        return sendToTopic(key, StompHeaders.of(StompHeaders.CONTENT_TYPE, contentType),
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** To every session of {@code user} subscribed to {@code /user/queue/<queue>}. */
    public Mono<Void> sendToUser(String user, String queue, StompHeaders headers, byte[] body) {
        return broker.publish(new Publication(new Address.User(user, queue), new BrokerMessage(headers, body), null, null));
    }
}
