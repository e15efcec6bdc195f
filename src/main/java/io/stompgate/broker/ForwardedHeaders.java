package io.stompgate.broker;

import io.stompgate.stomp.StompHeaders;
import java.util.Set;

/**
 * Which of a sender's headers travel with a message to its subscribers. Both
 * brokers apply this one policy to everything published and (for RabbitMQ) to
 * everything received, so a header reaches subscribers in local mode exactly
 * when it does in cluster mode (docs/protocol.md §4.3).
 *
 * <p>Not forwarded: headers about the SEND frame itself ({@code destination},
 * {@code receipt}, {@code transaction}, {@code content-length}, {@code id},
 * {@code prefetch-count}, {@code persistent}), credentials ({@code login},
 * {@code passcode}, {@code Authorization}), headers a receiving node writes itself
 * ({@code subscription}, {@code message-id}, {@code ack}, {@code redelivered},
 * {@code receipt-id}, {@code x-stream-offset}) and the gateway's own AMQP headers (names starting with
 * {@code stomp-}). Everything else, {@code content-type} included, is forwarded,
 * once: of repeated names only the first travels (STOMP 1.2 §"Repeated Header
 * Entries"; an AMQP header table holds a name once).
 */
public final class ForwardedHeaders {

    /** The prefix of the AMQP headers the gateway writes itself ({@code stomp-destination}, {@code stomp-user}...). */
    public static final String GATEWAY_PREFIX = "stomp-";

    private static final Set<String> DROPPED = Set.of(
            StompHeaders.DESTINATION, StompHeaders.RECEIPT, StompHeaders.RECEIPT_ID, StompHeaders.TRANSACTION,
            StompHeaders.CONTENT_LENGTH, StompHeaders.SUBSCRIPTION, StompHeaders.MESSAGE_ID, StompHeaders.ACK,
            StompHeaders.REDELIVERED, StompHeaders.ID, StompHeaders.PASSCODE, StompHeaders.LOGIN,
            StompHeaders.AUTHORIZATION, "prefetch-count", "persistent", "x-stream-offset");

    private ForwardedHeaders() {
    }

    /** Whether a header of this name reaches subscribers. */
    public static boolean isForwarded(String name) {
        return !name.isEmpty() && !DROPPED.contains(name) && !name.startsWith(GATEWAY_PREFIX);
    }

    /** The forwarded part of {@code headers}; the same instance when nothing is dropped. */
    public static StompHeaders of(StompHeaders headers) {
        for (int i = 0; i < headers.size(); i++) {
            if (!isForwarded(headers.name(i)) || isRepeat(headers, i)) {
                return keep(headers);
            }
        }
        return headers;
    }

    private static StompHeaders keep(StompHeaders headers) {
        StompHeaders.Builder kept = StompHeaders.builder();
        for (int i = 0; i < headers.size(); i++) {
            if (isForwarded(headers.name(i)) && !isRepeat(headers, i)) {
                kept.add(headers.name(i), headers.value(i));
            }
        }
        return kept.build();
    }

    /** Whether the name at {@code index} came earlier too (a frame has few headers: a scan is cheapest). */
    private static boolean isRepeat(StompHeaders headers, int index) {
        String name = headers.name(index);
        for (int j = 0; j < index; j++) {
            if (headers.name(j).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code message} with only its forwarded headers; the same instance when nothing is dropped. */
    public static BrokerMessage of(BrokerMessage message) {
        StompHeaders kept = of(message.headers());
        return kept == message.headers() ? message : new BrokerMessage(kept, message.body());
    }
}
