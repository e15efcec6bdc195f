package io.stompgate.session;

/**
 * A client broke the protocol or a rule. Thrown (or signalled) inside a session's
 * frame handling, it becomes exactly one ERROR frame whose {@code message} is
 * this exception's message, and then the connection closes.
 */
public final class StompProtocolException extends RuntimeException {

    private final ErrorReason reason;

    public StompProtocolException(ErrorReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public ErrorReason reason() {
        return reason;
    }
}
