package io.stompgate.session;

/**
 * Why a session got an ERROR frame. A closed, small set: it tags the
 * {@code stomp_errors_total} metric, where an open-ended message would explode
 * the metric's cardinality.
 */
public enum ErrorReason {
    MALFORMED_FRAME("malformed_frame"),
    UNKNOWN_COMMAND("unknown_command"),
    FRAME_TOO_LARGE("frame_too_large"),
    MISSING_HEADER("missing_header"),
    NOT_CONNECTED("not_connected"),
    UNSUPPORTED_VERSION("unsupported_version"),
    AUTHENTICATION("authentication"),
    TOKEN_EXPIRED("token_expired"),
    FORBIDDEN("forbidden"),
    DESTINATION("destination"),
    LIMIT("limit"),
    PROTOCOL("protocol"),
    SLOW_CONSUMER("slow_consumer"),
    HEARTBEAT_TIMEOUT("heartbeat_timeout"),
    BROKER("broker"),
    SHUTDOWN("shutdown"),
    REBALANCE("rebalancing");

    private final String tag;

    ErrorReason(String tag) {
        this.tag = tag;
    }

    /** The value of the metric's {@code reason} tag. */
    public String tag() {
        return tag;
    }
}
