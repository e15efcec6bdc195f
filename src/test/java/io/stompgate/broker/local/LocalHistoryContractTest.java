package io.stompgate.broker.local;

import io.stompgate.app.AppHandlers;
import io.stompgate.broker.History;
import io.stompgate.broker.HistoryContract;
import io.stompgate.broker.MessageBroker;
import java.util.List;

class LocalHistoryContractTest extends HistoryContract {

    @Override
    protected MessageBroker newBroker(History history) {
        return new LocalBroker("local-test", history, new AppHandlers(List::of)::dispatch,
                LocalBroker.DEFAULT_QUEUE_MAX_LENGTH);
    }
}
