package io.stompgate.session;

import io.stompgate.stomp.StompCommand;

/**
 * What sessions report for monitoring. The session layer calls it; the
 * {@code ops} package backs it with Micrometer. Never given a principal or a
 * destination: those would make metric cardinality unbounded.
 */
public interface SessionMetrics {

    SessionMetrics NOOP = new SessionMetrics() { };

    default void sessionOpened() { }

    default void sessionClosed() { }

    default void frameReceived(StompCommand command) { }

    default void frameSent(StompCommand command) { }

    default void messageDelivered() { }

    default void error(ErrorReason reason) { }

    default void slowConsumerDisconnect() { }

    /** A SEND was confirmed by the broker {@code nanos} after it was published. */
    default void publishConfirmed(long nanos) { }

    /** The depth of a session's outbound queue when a frame joined it. */
    default void outboundQueueDepth(int depth) { }
}
