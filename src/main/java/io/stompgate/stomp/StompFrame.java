package io.stompgate.stomp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One STOMP frame: a command, its headers in wire order and its body bytes.
 * Immutable as far as callers go: the body array is never handed out for
 * writing and callers must not change an array they pass in.
 */
public final class StompFrame {

    private static final byte[] NO_BODY = new byte[0];

    private final StompCommand command;
    private final StompHeaders headers;
    private final byte[] body;

    public StompFrame(StompCommand command, StompHeaders headers, byte[] body) {
        this.command = Objects.requireNonNull(command, "command");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.body = body == null || body.length == 0 ? NO_BODY : body;
    }

    public static StompFrame of(StompCommand command, StompHeaders headers) {
        return new StompFrame(command, headers, NO_BODY);
    }

    public static StompFrame of(StompCommand command, String... namesAndValues) {
        return new StompFrame(command, StompHeaders.of(namesAndValues), NO_BODY);
    }

    /** An ERROR frame: {@code message} says what was wrong; the body repeats it for clients that only show bodies. */
    public static StompFrame error(String message, String receiptId) {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        StompHeaders.Builder h = StompHeaders.builder()
                .add(StompHeaders.MESSAGE, message)
                .add(StompHeaders.CONTENT_TYPE, "text/plain");
        if (receiptId != null) {
            h.add(StompHeaders.RECEIPT_ID, receiptId);
        }
        h.add(StompHeaders.CONTENT_LENGTH, Integer.toString(body.length));
        return new StompFrame(StompCommand.ERROR, h.build(), body);
    }

    public static StompFrame receipt(String receiptId) {
        return of(StompCommand.RECEIPT, StompHeaders.RECEIPT_ID, receiptId);
    }

    public StompCommand command() {
        return command;
    }

    public StompHeaders headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The body. Do not modify the returned array. */
    public byte[] body() {
        return body;
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public StompFrame withHeaders(StompHeaders newHeaders) {
        return new StompFrame(command, newHeaders, body);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof StompFrame f
                && command == f.command && headers.equals(f.headers) && Arrays.equals(body, f.body));
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, headers, Arrays.hashCode(body));
    }

    /** Never prints the body: bodies may hold user data that must not reach logs. */
    @Override
    public String toString() {
        return command + headers.names().toString() + "(" + body.length + " body bytes)";
    }
}
