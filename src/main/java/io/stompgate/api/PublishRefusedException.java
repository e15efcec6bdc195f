package io.stompgate.api;

/**
 * A publish request that can never succeed as it is (a destination the API does not
 * publish to, a message over a limit, malformed headers): answered with 400 and this
 * message, which names what is wrong.
 */
public final class PublishRefusedException extends RuntimeException {

    public PublishRefusedException(String message) {
        super(message, null, false, false);
    }
}
