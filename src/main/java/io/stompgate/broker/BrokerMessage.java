package io.stompgate.broker;

import io.stompgate.stomp.StompHeaders;

/**
 * A message as it travels through a broker: the headers that become the
 * MESSAGE frame's own ({@code content-type} and custom ones; never destination,
 * subscription or message-id, which the receiving node writes) and the body.
 */
public record BrokerMessage(StompHeaders headers, byte[] body) {

    public BrokerMessage {
        if (headers == null) {
            headers = StompHeaders.EMPTY;
        }
        if (body == null) {
            body = new byte[0];
        }
    }
}
