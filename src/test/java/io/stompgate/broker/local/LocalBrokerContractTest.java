package io.stompgate.broker.local;

import io.stompgate.broker.History;
import io.stompgate.app.AppHandlers;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.MessageBrokerContract;
import java.util.List;

class LocalBrokerContractTest extends MessageBrokerContract {

    @Override
    protected MessageBroker newBroker() {
        return new LocalBroker("local-test", History.none(), new AppHandlers(List::of)::dispatch, LocalBroker.DEFAULT_QUEUE_MAX_LENGTH);
    }
}
