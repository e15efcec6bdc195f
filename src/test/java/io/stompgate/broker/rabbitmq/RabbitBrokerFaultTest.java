package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.TcpProxy;
import io.stompgate.testing.TestRabbit;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * RabbitBroker when the broker, or a client, does something unusual: a message the AMQP
 * client cannot encode, operations parked through an outage longer than their timeout, a
 * durable queue deleted behind the node's back.
 */
@NeedsRabbitMQ
class RabbitBrokerFaultTest {

    static final DeliveryListener NOOP = new DeliveryListener() {
        @Override public void onTopicMessage(String key, BrokerMessage message) { }
        @Override public void onUserMessage(String user, String queue, BrokerMessage message) { }
    };

    /** A broker on the tests' RabbitMQ. */
    static RabbitBroker broker(Duration opTimeout) {
        return broker(TestRabbit.get().host(), TestRabbit.get().port(), opTimeout);
    }

    /** A broker on the tests' RabbitMQ through {@code proxy}. */
    static RabbitBroker broker(TcpProxy proxy, Duration opTimeout) {
        return broker(proxy.host(), proxy.port(), opTimeout);
    }

    private static RabbitBroker broker(String host, int port, Duration opTimeout) {
        TestRabbit rabbit = TestRabbit.get();
        return new RabbitBroker(RabbitBrokerOptions.defaults(
                List.of(new RabbitBrokerOptions.Endpoint(host, port)), rabbit.username(), rabbit.password(),
                rabbit.virtualHost(), "fault-" + UUID.randomUUID().toString().substring(0, 8)).withOperationTimeout(opTimeout));
    }

    static Publication topic(String key, StompHeaders headers) {
        return new Publication(new Address.Topic(key), new BrokerMessage(headers, "x".getBytes()), "u", "s");
    }

    /** A header name AMQP cannot carry is refused before the channel numbers the publish; later confirms stay right. */
    @Test
    void aPublishRefusedByTheClientLibraryDoesNotShiftLaterConfirms() {
        RabbitBroker broker = broker(Duration.ofSeconds(3));
        try {
            broker.start(NOOP).block(Duration.ofSeconds(10));
            broker.publish(topic("review.a", StompHeaders.EMPTY)).block(Duration.ofSeconds(5)); // baseline: fine

            assertThatThrownBy(() -> broker.publish(topic("review.a", StompHeaders.of("h".repeat(300), "v")))
                    .block(Duration.ofSeconds(5))).hasMessageContaining("255 bytes");

            // An innocent publish afterwards is confirmed as itself, at once.
            broker.publish(topic("review.a", StompHeaders.EMPTY)).block(Duration.ofSeconds(2));
            assertThat(broker.reconnectCount()).isZero();
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
        }
    }

    /** A /queue consumer cancelled during an outage is forgotten at once, so the reconnect does not restore it. */
    @Test
    void aConsumerCancelledDuringALongOutageIsNotRestored() throws Exception {
        String queue = "fault" + UUID.randomUUID().toString().substring(0, 8);
        TcpProxy proxy = TcpProxy.toRabbit();
        RabbitBroker broker = broker(proxy, Duration.ofSeconds(1));
        List<Object> delivered = new CopyOnWriteArrayList<>();
        try (Rabbit rabbit = Rabbit.connect()) {
            broker.start(NOOP).block(Duration.ofSeconds(10));
            QueueConsumer consumer = broker.consumeQueue(queue, 10, delivered::add).block(Duration.ofSeconds(5));

            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            // The session closes during the outage (e.g. its SEND failed): it cancels its consumer.
            consumer.cancel().block(Duration.ofSeconds(5));
            Thread.sleep(1500); // longer than the operation timeout
            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).until(broker::isUp);

            Channel ch = rabbit.channel();
            Thread.sleep(500);
            assertThat(ch.queueDeclarePassive("stomp.queue." + queue).getConsumerCount())
                    .as("consumers on the queue after the node recovered").isZero();
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
            proxy.close();
            try (Rabbit rabbit = Rabbit.connect()) {
                rabbit.deleteQueue("stomp.queue." + queue);
            }
        }
    }

    /** An unbind that expired during an outage still forgets its binding, so the reconnect does not restore it. */
    @Test
    void anUnbindThatTimedOutDuringAnOutageIsNotRestored() throws Exception {
        TcpProxy proxy = TcpProxy.toRabbit();
        RabbitBroker broker = broker(proxy, Duration.ofSeconds(1));
        try {
            broker.start(NOOP).block(Duration.ofSeconds(10));
            broker.bindTopic("review.leak.#").block(Duration.ofSeconds(5));
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            // the last subscriber leaves during the outage; SessionRegistry only logs the failure
            assertThatThrownBy(() -> broker.unbindTopic("review.leak.#").block(Duration.ofSeconds(5)))
                    .hasMessageContaining("broker unavailable");
            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).until(broker::isUp);
            assertThat(broker.boundPatternsSnapshot()).as("patterns re-bound after the outage").isEmpty();
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
            proxy.close();
        }
    }

    /** A /queue deleted at the broker: the next SEND declares it again rather than vanishing with a RECEIPT. */
    @Test
    void aSendToADeletedQueueIsNotSilentlyDropped() throws Exception {
        String queue = "fault" + UUID.randomUUID().toString().substring(0, 8);
        RabbitBroker broker = broker(Duration.ofSeconds(3));
        try (Rabbit rabbit = Rabbit.connect()) {
            broker.start(NOOP).block(Duration.ofSeconds(10));
            Publication p = new Publication(new Address.Queue(queue), new BrokerMessage(StompHeaders.EMPTY, "m".getBytes()), "u", "s");
            broker.publish(p).block(Duration.ofSeconds(5));
            rabbit.deleteQueue("stomp.queue." + queue); // an operator, or an 'expires' policy
            Throwable outcome = null;
            try {
                broker.publish(p).block(Duration.ofSeconds(5));
            }
            catch (RuntimeException e) {
                outcome = e;
            }
            boolean exists = Rabbit.queueExists("stomp.queue." + queue);
            assertThat(outcome != null || exists).as("publish confirmed (RECEIPT) although the queue does not exist").isTrue();
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
            try (Rabbit rabbit = Rabbit.connect()) {
                rabbit.deleteQueue("stomp.queue." + queue);
            }
        }
    }

    /** SUBSCRIBE to a /queue that was deleted after this node declared it: declared again, no node-wide reconnect. */
    @Test
    void subscribingToADeletedQueueDoesNotReconnectTheNode() throws Exception {
        String queue = "fault" + UUID.randomUUID().toString().substring(0, 8);
        RabbitBroker broker = broker(Duration.ofSeconds(3));
        try (Rabbit rabbit = Rabbit.connect()) {
            broker.start(NOOP).block(Duration.ofSeconds(10));
            broker.consumeQueue(queue, 10, d -> { }).block(Duration.ofSeconds(5)).cancel().block(Duration.ofSeconds(5));
            rabbit.deleteQueue("stomp.queue." + queue);
            try {
                broker.consumeQueue(queue, 10, d -> { }).block(Duration.ofSeconds(5));
            }
            catch (RuntimeException e) {
                throw new AssertionError("consuming a deleted queue failed", e);
            }
            Thread.sleep(1500);
            assertThat(broker.reconnectCount()).as("node reconnects caused by one SUBSCRIBE").isZero();
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
            try (Rabbit rabbit = Rabbit.connect()) {
                rabbit.deleteQueue("stomp.queue." + queue);
            }
        }
    }
}
