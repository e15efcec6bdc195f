package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Maps messages between STOMP and AMQP, in both directions: STOMP
 * {@code content-type} is the AMQP {@code content_type} property, other STOMP
 * headers are AMQP string headers, and back. The gateway's own AMQP headers
 * ({@code stomp-*}) and the STOMP headers each node writes itself (destination,
 * subscription, message-id...) never cross over.
 */
final class AmqpMessages {

    static final String DESTINATION_HEADER = "stomp-destination";
    static final String USER_HEADER = "stomp-user";
    static final String SESSION_HEADER = "stomp-session";
    static final String NODE_HEADER = "stomp-node";

    /** STOMP headers a receiving node writes itself; an AMQP header of that name is dropped. */
    private static final Set<String> RESERVED = Set.of(
            StompHeaders.DESTINATION, StompHeaders.SUBSCRIPTION, StompHeaders.MESSAGE_ID, StompHeaders.ACK,
            StompHeaders.CONTENT_LENGTH, StompHeaders.CONTENT_TYPE, StompHeaders.RECEIPT, StompHeaders.RECEIPT_ID,
            StompHeaders.REDELIVERED, StompHeaders.TRANSACTION);

    private AmqpMessages() {
    }

    /** AMQP short strings (header names, content type) hold at most 255 bytes. */
    static final int MAX_SHORT_STRING_BYTES = 255;

    /**
     * AMQP properties for a STOMP message; {@code extra} headers (the gateway's own) are added.
     *
     * @throws BrokerException when the message cannot be expressed in AMQP (a header name or
     *         content type longer than an AMQP short string)
     */
    static AMQP.BasicProperties properties(BrokerMessage message, Map<String, Object> extra, boolean persistent,
            String messageId) {
        StompHeaders headers = message.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (Utf8.encodedLength(headers.name(i)) > MAX_SHORT_STRING_BYTES) {
                throw new BrokerException("a header name longer than 255 bytes cannot cross the broker");
            }
        }
        String contentType = headers.get(StompHeaders.CONTENT_TYPE);
        if (contentType != null && Utf8.encodedLength(contentType) > MAX_SHORT_STRING_BYTES) {
            throw new BrokerException("a content-type longer than 255 bytes cannot cross the broker");
        }
        Map<String, Object> amqpHeaders = new HashMap<>(headers.size() + extra.size());
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!name.equals(StompHeaders.CONTENT_TYPE) && !name.startsWith("stomp-")) {
                amqpHeaders.putIfAbsent(name, headers.value(i));
            }
        }
        amqpHeaders.putAll(extra);
        return new AMQP.BasicProperties.Builder()
                .contentType(headers.get(StompHeaders.CONTENT_TYPE))
                .headers(amqpHeaders.isEmpty() ? null : amqpHeaders)
                .deliveryMode(persistent ? 2 : 1)
                .messageId(messageId)
                .build();
    }

    /** The STOMP view of an AMQP message: content type and string headers, minus reserved and gateway ones. */
    static BrokerMessage fromAmqp(AMQP.BasicProperties properties, byte[] body) {
        StompHeaders.Builder headers = StompHeaders.builder();
        if (properties.getContentType() != null) {
            headers.add(StompHeaders.CONTENT_TYPE, properties.getContentType());
        }
        Map<String, Object> amqpHeaders = properties.getHeaders();
        if (amqpHeaders != null) {
            for (Map.Entry<String, Object> e : amqpHeaders.entrySet()) {
                String name = e.getKey();
                String value = stringValue(e.getValue());
                if (value != null && !name.isEmpty() && !name.startsWith("stomp-") && !RESERVED.contains(name)) {
                    headers.add(name, value);
                }
            }
        }
        return new BrokerMessage(headers.build(), body);
    }


    /** An AMQP header's value if it is a string (AMQP long strings arrive as {@link LongString}). */
    static String stringValue(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof LongString ls) {
            return new String(ls.getBytes(), StandardCharsets.UTF_8);
        }
        return null;
    }
}
