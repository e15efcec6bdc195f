package io.stompgate.archfixtures.cluster;

import io.stompgate.archfixtures.broker.Broker;
import io.stompgate.archfixtures.session.Session;

/** Keeps the cluster rule: the session layer and the broker SPI are what membership is built on. */
public final class Member {

    public static String describe(Session session, Broker broker) {
        return session + " " + broker;
    }
}
