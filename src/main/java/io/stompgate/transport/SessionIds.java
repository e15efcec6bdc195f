package io.stompgate.transport;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Session ids: 64 random bits in base 36, unique across nodes for practical
 * purposes, short enough to prefix every message id of the session.
 */
final class SessionIds {

    private SessionIds() {
    }

    static String next() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }
}
