package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.ForwardedHeaders;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps messages between STOMP and AMQP, in both directions: STOMP
 * {@code content-type} is the AMQP {@code content_type} property, other STOMP
 * headers are AMQP string headers, and back. Which headers cross at all is
 * {@link ForwardedHeaders}' one policy, the same as in local mode; an AMQP header
 * named {@code content-type} is ignored (the property says it).
 */
final class AmqpMessages {

    /**
     * The AMQP {@code app_id} of every message the gateway publishes: with its unique
     * {@code message_id}, it lets receiving nodes drop a copy (docs/protocol.md §5.2).
     */
    static final String GATEWAY_APP_ID = "stompgate";

    private AmqpMessages() {
    }

    /**
     * AMQP properties for a STOMP message; {@code extra} headers (the gateway's own) are added.
     *
     * @throws BrokerException when the message cannot be expressed in AMQP (a header name or
     *         content type longer than an AMQP short string)
     */
    static AMQP.BasicProperties properties(BrokerMessage message, Map<String, Object> extra, boolean persistent,
            String messageId, String expiration) {
        StompHeaders headers = ForwardedHeaders.of(message.headers());
        for (int i = 0; i < headers.size(); i++) {
            if (Utf8.encodedLength(headers.name(i)) > AmqpRouting.MAX_SHORT_STRING_BYTES) {
                throw new BrokerException("a header name longer than 255 bytes cannot cross the broker");
            }
        }
        String contentType = headers.get(StompHeaders.CONTENT_TYPE);
        if (contentType != null && Utf8.encodedLength(contentType) > AmqpRouting.MAX_SHORT_STRING_BYTES) {
            throw new BrokerException("a content-type longer than 255 bytes cannot cross the broker");
        }
        Map<String, Object> amqpHeaders = new HashMap<>(headers.size() + extra.size());
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!name.equals(StompHeaders.CONTENT_TYPE)) {
                amqpHeaders.putIfAbsent(name, headers.value(i));
            }
        }
        amqpHeaders.putAll(extra);
        return new AMQP.BasicProperties.Builder()
                .contentType(headers.get(StompHeaders.CONTENT_TYPE))
                .headers(amqpHeaders.isEmpty() ? null : amqpHeaders)
                .deliveryMode(persistent ? 2 : 1)
                .messageId(messageId)
                .appId(GATEWAY_APP_ID)
                .expiration(expiration)
                .build();
    }

    /** The STOMP view of an AMQP message: content type and the forwarded string headers. */
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
                if (value != null && !name.equals(StompHeaders.CONTENT_TYPE) && ForwardedHeaders.isForwarded(name)) {
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
