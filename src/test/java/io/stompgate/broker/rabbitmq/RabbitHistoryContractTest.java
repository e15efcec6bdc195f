package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.History;
import io.stompgate.broker.HistoryContract;
import io.stompgate.broker.MessageBroker;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.TestRabbit;
import java.util.List;
import java.util.UUID;

/** The history contract on a RabbitMQ stream, one stream per test so they cannot disturb each other. */
@NeedsRabbitMQ
class RabbitHistoryContractTest extends HistoryContract {

    private final String stream = "stomp.history.test-" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    protected MessageBroker newBroker(History history) {
        TestRabbit rabbit = TestRabbit.get();
        RabbitBrokerOptions defaults = RabbitBrokerOptions.defaults(
                List.of(new RabbitBrokerOptions.Endpoint(rabbit.host(), rabbit.port())), rabbit.username(), rabbit.password(),
                rabbit.virtualHost(), "history-" + UUID.randomUUID().toString().substring(0, 8));
        return new RabbitBroker(new RabbitBrokerOptions(defaults.addresses(), rabbit.username(), rabbit.password(),
                rabbit.virtualHost(),
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
