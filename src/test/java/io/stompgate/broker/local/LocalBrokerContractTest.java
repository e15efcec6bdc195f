package io.stompgate.broker.local;

import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.MessageBrokerContract;
import java.util.List;

class LocalBrokerContractTest extends MessageBrokerContract {

    @Override
    protected MessageBroker newBroker() {
        return new LocalBroker(List::of, LocalBroker.DEFAULT_QUEUE_MAX_LENGTH);
    }
}
