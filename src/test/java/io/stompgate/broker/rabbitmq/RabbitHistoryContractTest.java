package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.History;
import io.stompgate.broker.HistoryContract;
import io.stompgate.broker.MessageBroker;
import io.stompgate.testing.Rabbit;
import java.util.List;
import java.util.UUID;

/** The history contract on a RabbitMQ stream, one stream per test so they cannot disturb each other. */
class RabbitHistoryContractTest extends HistoryContract {

    private final String stream = "stomp.history.test-" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    protected MessageBroker newBroker(History history) {
        RabbitBrokerOptions defaults = RabbitBrokerOptions.defaults(
                List.of(new RabbitBrokerOptions.Endpoint(Rabbit.HOST, Rabbit.PORT)), "guest", "guest", "/",
                "history-" + UUID.randomUUID().toString().substring(0, 8));
        return new RabbitBroker(new RabbitBrokerOptions(defaults.addresses(), "guest", "guest", "/",
                defaults.requestedHeartbeat(), defaults.connectionTimeout(), defaults.nodeId(),
                defaults.operationTimeout(), defaults.prefetch(), defaults.topicExchange(), defaults.userExchange(),
                defaults.appExchange(), defaults.clusterExchange(), defaults.nodeQueuePrefix(), defaults.queuePrefix(),
                defaults.reconnectMin(), defaults.reconnectMax(), false, defaults.nodeQueueOptions(), history, stream));
    }

    @Override
    protected void cleanUp() {
        try (Rabbit rabbit = Rabbit.connect()) {
            rabbit.deleteQueue(stream);
        }
    }
}
