package io.stompgate.archfixtures.api;

import io.stompgate.archfixtures.broker.Broker;
import io.stompgate.archfixtures.session.Session;
import io.stompgate.archfixtures.stomp.Frame;

/** Allowed in the API: the session layer's parsing, the broker SPI and the codec. */
public final class Publisher {

    public String publish(Broker broker, Frame frame) {
        broker.publish(frame);
        return new Session().read(broker);
    }
}
