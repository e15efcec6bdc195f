package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.MessageBrokerContract;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

@NeedsRabbitMQ
class RabbitBrokerContractTest extends MessageBrokerContract {

    @BeforeAll
    static void brokerIsReachable() {
        Rabbit.connect().close(); // fails with a message saying how to start RabbitMQ
    }

    @Override
    protected void deleteQueue(String name) {
        try (Rabbit rabbit = Rabbit.connect()) {
            rabbit.deleteQueue("stomp.queue." + name);
        }
    }

    @Override
    protected MessageBroker newBroker() {
        return new RabbitBroker(RabbitBrokerOptions.defaults(
                List.of(new RabbitBrokerOptions.Endpoint(Rabbit.HOST, Rabbit.PORT)), "guest", "guest", "/",
                unique("contract-")));
    }
}
