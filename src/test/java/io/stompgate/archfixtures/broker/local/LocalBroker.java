package io.stompgate.archfixtures.broker.local;

import io.stompgate.archfixtures.broker.Broker;
import io.stompgate.archfixtures.stomp.Frame;

/** Allowed in a broker implementation: the SPI and the codec. */
public final class LocalBroker implements Broker {

    @Override
    public void publish(Frame frame) {
    }
}
