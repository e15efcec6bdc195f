package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.MessageBroker;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.MessageCollector;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.ReceiptedPublisher;
import io.stompgate.testing.TestRabbit;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ itself restarted ({@code rabbitmqctl stop_app}, then {@code start_app})
 * under traffic: the node queues are durable, so they and their bindings come back
 * with it, the nodes resume them, and nothing published once RabbitMQ is back is
 * lost or doubled. (What was in flight while RabbitMQ was stopped: SENDs get a
 * RECEIPT or an ERROR, docs/protocol.md §6.5.) Restarts the tests' broker
 * ({@link TestRabbit#rabbitmqctl}), shared by the tests after it, so it waits for it to
 * be fully back before it ends.
 */
@NeedsRabbitMQ
class BrokerRestartTest {

    @Test
    void nodeQueuesAndBindingsComeBackWithRabbitMqAndNothingPublishedAfterwardsIsLost() throws Exception {
        String key = "restart" + UUID.randomUUID().toString().substring(0, 8);
        try (GatewayNode node1 = GatewayNode.startRabbit("spring.rabbitmq.requested-heartbeat=2s");
                GatewayNode node2 = GatewayNode.startRabbit("spring.rabbitmq.requested-heartbeat=2s");
                RawStompClient sub1 = node1.client("s1");
                RawStompClient sub2 = node2.client("s2")) {
            for (RawStompClient s : List.of(sub1, sub2)) {
                s.connectStomp();
                s.sendAndAwaitReceipt("SUBSCRIBE\nid:t\ndestination:/topic/" + key + "\nreceipt:t\n\n\0", "t");
            }
            try (MessageCollector c1 = new MessageCollector(sub1, "s1"); MessageCollector c2 = new MessageCollector(sub2, "s2")) {
                ReceiptedPublisher during = new ReceiptedPublisher(node1, "/topic/" + key, "during", 50);
                Thread.sleep(1000);
                try {
                    rabbitmqctl("stop_app");
                    await().atMost(Duration.ofSeconds(20)).until(() -> !node1.bean(MessageBroker.class).isUp()
                            && !node2.bean(MessageBroker.class).isUp());
                }
                finally {
                    rabbitmqctl("start_app");
                    rabbitmqctl("await_startup");
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> node1.bean(MessageBroker.class).isUp()
                        && node2.bean(MessageBroker.class).isUp());
                during.stop(Duration.ofSeconds(10));

                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                        Rabbit.topicBindings("stomp.node." + node1.nodeId(), key) == 1
                                && Rabbit.topicBindings("stomp.node." + node2.nodeId(), key) == 1);

                ReceiptedPublisher after = new ReceiptedPublisher(node1, "/topic/" + key, "after", 50);
                Thread.sleep(2000);
                after.stop(Duration.ofSeconds(10));
                Set<String> expected = new HashSet<>(after.receipted());
                await().atMost(Duration.ofSeconds(20)).until(() -> c1.hasAll(expected) && c2.hasAll(expected));

                System.out.printf("RESTART-FIGURES during: sent=%d receipted=%d errored=%d | after: receipted=%d "
                                + "node1 lost=%d dup=%d node2 lost=%d dup=%d%n", during.sent(), during.receipted().size(),
                        during.errored(), expected.size(), c1.missing(expected).size(), c1.duplicated().size(),
                        c2.missing(expected).size(), c2.duplicated().size());
                assertThat(expected).isNotEmpty();
                assertThat(c1.missing(expected)).isEmpty();
                assertThat(c2.missing(expected)).isEmpty();
                assertThat(c1.duplicated()).as("doubled on node 1").isEmpty();
                assertThat(c2.duplicated()).as("doubled on node 2").isEmpty();
            }
        }
        finally {
            // The shared broker is back for the tests after this one: AMQP and the management API answer.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                Rabbit.connect().close();
                return !Rabbit.management("/overview").isEmpty();
            });
        }
    }

    private static void rabbitmqctl(String command) throws Exception {
        TestRabbit.get().rabbitmqctl(command);
    }
}
