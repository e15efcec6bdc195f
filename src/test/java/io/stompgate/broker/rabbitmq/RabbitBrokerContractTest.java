package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.MessageBrokerContract;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.TestRabbit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

@NeedsRabbitMQ
class RabbitBrokerContractTest extends MessageBrokerContract {

    @BeforeAll
    static void brokerIsReachable() {
        Rabbit.connect().close(); // fails with a message saying how to get a RabbitMQ
    }

    @Override
    protected void deleteQueue(String name) {
        try (Rabbit rabbit = Rabbit.connect()) {
            rabbit.deleteQueue("stomp.queue." + name);
        }
    }

    @Override
    protected MessageBroker newBroker() {
        TestRabbit rabbit = TestRabbit.get();
        return new RabbitBroker(RabbitBrokerOptions.defaults(
                List.of(new RabbitBrokerOptions.Endpoint(rabbit.host(), rabbit.port())), rabbit.username(), rabbit.password(),
                rabbit.virtualHost(), unique("contract-")));
    }
}
