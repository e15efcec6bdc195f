package io.stompgate.archfixtures.broker;

import io.stompgate.archfixtures.stomp.Frame;

/** Allowed in the broker SPI: the codec. */
public interface Broker {

    void publish(Frame frame);
}
