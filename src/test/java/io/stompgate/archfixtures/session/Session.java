package io.stompgate.archfixtures.session;

import io.stompgate.archfixtures.broker.Broker;
import io.stompgate.archfixtures.stomp.Frame;

/** Allowed in the session layer: the codec and the broker SPI. */
public final class Session {

    public String read(Broker broker) {
        return Frame.class.getSimpleName() + broker;
    }
}
