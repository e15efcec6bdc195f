package io.stompgate.archfixtures.api;

import io.stompgate.archfixtures.broker.local.LocalBroker;

/** Breaks the API rule: a broker implementation instead of the SPI. */
public final class UsesLocalBroker {

    private final LocalBroker broker = new LocalBroker();

    @Override
    public String toString() {
        return broker.toString();
    }
}
