package io.stompgate.session;

/** Why a session ended, as its closing log line says. */
public enum CloseReason {
    /** The client sent DISCONNECT. */
    CLIENT_DISCONNECT,
    /** The WebSocket closed without DISCONNECT. */
    TRANSPORT_CLOSED,
    /** The client broke the protocol or a rule and got an ERROR. */
    PROTOCOL_ERROR,
    /** The client did not read fast enough; its outbound queue filled. */
    SLOW_CONSUMER,
    /** Nothing came from the client within its heart-beat allowance. */
    HEARTBEAT_TIMEOUT,
    /** The identity's token expired. */
    TOKEN_EXPIRED,
    /** A broker operation the session needed failed. */
    BROKER_FAILURE,
    /** The node is shutting down. */
    SHUTDOWN,
    /** The node held more than its fair share of the cluster's sessions and handed this one back. */
    REBALANCE
}
