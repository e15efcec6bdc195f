package io.stompgate.archfixtures.broker;

import io.stompgate.archfixtures.session.Session;

/** Breaks the broker SPI rule: the SPI is below the session layer. */
public interface KnowsSession {

    void attach(Session session);
}
