package io.stompgate.api;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.ForwardedHeaders;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.Publication;
import io.stompgate.session.Destinations;
import io.stompgate.session.StompProtocolException;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import io.stompgate.stomp.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Turns a {@link PublishRequest} into the publication a STOMP {@code SEND} of the same
 * message would be, and publishes it. Same destination parsing as a SEND
 * ({@link Destinations#forSend}), restricted to {@code /topic/<key>} and
 * {@code /user/<principal>/queue/<name>}; same header policy ({@link ForwardedHeaders});
 * same limits, applied to the SEND frame the request stands for (its {@code destination},
 * headers, {@code content-type} and {@code content-length}, its body). What a subscriber
 * gets is therefore what it would get from a SEND; history and presence cannot tell the
 * two apart. The message has no sender: no principal, no session.
 */
public final class ApiPublisher {

    /** Header names and content types travel as AMQP short strings. */
    static final int MAX_NAME_BYTES = 255;

    private static final String DESTINATIONS = "/topic/<key> or /user/<principal>/queue/<name>";

    private final MessageBroker broker;
    private final StompLimits limits;

    public ApiPublisher(MessageBroker broker, StompLimits limits) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Publishes {@code request}; completes with the message id once the broker has confirmed
     * it. The id identifies this API call (a random UUID): subscribers' MESSAGE frames carry
     * {@code message-id}s of their own sessions, as for any SEND.
     *
     * @return the id, or an error: {@link PublishRefusedException} for a request that can never
     *         succeed, {@code BrokerException} when the broker did not take the message in time
     */
    public Mono<String> publish(PublishRequest request) {
        Publication publication;
        try {
            publication = publication(request);
        }
        catch (PublishRefusedException e) {
            return Mono.error(e);
        }
        String messageId = UUID.randomUUID().toString();
        return broker.publish(publication).thenReturn(messageId);
    }

    /** The publication {@code request} stands for; throws {@link PublishRefusedException} naming what is wrong. */
    Publication publication(PublishRequest request) {
        String destination = request.destination();
        if (destination == null || destination.isEmpty()) {
            throw new PublishRefusedException("missing destination: publish to " + DESTINATIONS);
        }
        if (!destination.startsWith(Destinations.TOPIC) && !destination.startsWith(Destinations.USER)) {
            throw new PublishRefusedException("unknown destination type '" + abbreviate(destination)
                    + "': the API publishes to " + DESTINATIONS);
        }
        Address address;
        try {
            address = Destinations.forSend(destination, broker.maxQueueNameBytes());
        }
        catch (StompProtocolException e) {
            throw new PublishRefusedException(e.getMessage());
        }
        if (!(address instanceof Address.Topic) && !(address instanceof Address.User)) {
            throw new PublishRefusedException("unknown destination type '" + abbreviate(destination)
                    + "': the API publishes to " + DESTINATIONS);
        }
        byte[] body = request.body() == null ? new byte[0] : request.body().getBytes(StandardCharsets.UTF_8);
        StompHeaders headers = headers(request);
        checkLimits(destination, headers, body.length);
        return new Publication(address, new BrokerMessage(ForwardedHeaders.of(headers), body), null, null);
    }

    /** The request's headers, then its content type, as the SEND frame would carry them. */
    private static StompHeaders headers(PublishRequest request) {
        StompHeaders.Builder headers = StompHeaders.builder();
        Map<String, String> given = request.headers() == null ? Map.of() : request.headers();
        for (Map.Entry<String, String> header : given.entrySet()) {
            String name = header.getKey();
            String value = header.getValue();
            if (name == null || name.isEmpty()) {
                throw new PublishRefusedException("bad headers: a header has an empty name");
            }
            if (Utf8.encodedLength(name) > MAX_NAME_BYTES) {
                throw new PublishRefusedException("bad headers: header name '" + abbreviate(name)
                        + "' is longer than 255 bytes");
            }
            if (value == null) {
                throw new PublishRefusedException("bad headers: header '" + abbreviate(name)
                        + "' has no value; header values are strings");
            }
            if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new PublishRefusedException("bad headers: header '" + abbreviate(name.replace('\0', ' '))
                        + "' holds a NUL character");
            }
            if (name.equals(StompHeaders.CONTENT_TYPE) && request.contentType() != null) {
                throw new PublishRefusedException("bad headers: the content type is given twice, as contentType "
                        + "and as headers.content-type; give it once");
            }
            headers.add(name, value);
        }
        String contentType = request.contentType();
        if (contentType != null) {
            if (Utf8.encodedLength(contentType) > MAX_NAME_BYTES) {
                throw new PublishRefusedException("bad contentType: longer than 255 bytes");
            }
            if (contentType.indexOf('\0') >= 0) {
                throw new PublishRefusedException("bad contentType: holds a NUL character");
            }
            headers.add(StompHeaders.CONTENT_TYPE, contentType);
        }
        return headers.build();
    }

    /**
     * The node's frame limits ({@code gateway.limits.*}), applied to the SEND frame this
     * request stands for, written in STOMP 1.2: {@code SEND}, {@code destination}, the
     * headers, {@code content-length}, the body and NUL.
     */
    private void checkLimits(String destination, StompHeaders headers, int bodyBytes) {
        String contentLength = Integer.toString(bodyBytes);
        int headerCount = headers.size() + 2;
        if (headerCount > limits.maxHeaders()) {
            throw new PublishRefusedException("bad headers: " + headerCount + " headers, counting destination and "
                    + "content-length, are more than " + limits.maxHeaders() + " (gateway.limits.max-headers)");
        }
        long frameBytes = "SEND\n".length() + line(StompHeaders.DESTINATION, destination, null)
                + line(StompHeaders.CONTENT_LENGTH, contentLength, null) + 1 + (long) bodyBytes + 1;
        for (int i = 0; i < headers.size(); i++) {
            frameBytes += line(headers.name(i), headers.value(i), headers.name(i));
        }
        if (frameBytes > limits.maxFrameBytes()) {
            throw new PublishRefusedException("message too large: its body (" + bodyBytes + " bytes) and headers make "
                    + "a SEND frame of " + frameBytes + " bytes, more than " + limits.maxFrameBytes()
                    + " (gateway.limits.max-frame-bytes)");
        }
    }

    /** The bytes of {@code name:value\n} as STOMP 1.2 escapes it; over the line limit, refused naming {@code shown}. */
    private int line(String name, String value, String shown) {
        int bytes = escapedLength(name) + 1 + escapedLength(value);
        if (bytes > limits.maxHeaderLineBytes()) {
            throw new PublishRefusedException((shown == null ? "destination" : "bad headers: header '"
                    + abbreviate(shown) + "'") + " makes a header line longer than " + limits.maxHeaderLineBytes()
                    + " bytes (gateway.limits.max-header-line-bytes)");
        }
        return bytes + 1;
    }

    private static int escapedLength(String s) {
        int extra = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == ':' || c == '\\') {
                extra++;
            }
        }
        return Utf8.encodedLength(s) + extra;
    }

    static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
