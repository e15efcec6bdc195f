package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.rabbitmq.RabbitBroker;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.MessageCollector;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.ReceiptedPublisher;
import io.stompgate.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The node queue outlives its node's connection (docs/protocol.md §5.2): through
 * broker outages of every shape, every receipted SEND and every message a backend
 * published straight to {@code stomp.topic} and {@code stomp.user} reaches every
 * subscriber on both nodes exactly once. Each node reaches RabbitMQ through its own
 * in-test TCP proxy (cut: connections dropped; frozen: nothing forwarded, nothing
 * closed); the backend publishes directly. Each scenario prints one FAULT-FIGURES line.
 */
@NeedsRabbitMQ
class NodeQueueOutageTest {

    /** Two nodes, a topic subscriber and a session of one user on each, and a direct backend. */
    private static final class TwoNodes implements AutoCloseable {
        final String key = "outage" + UUID.randomUUID().toString().substring(0, 8);
        final String user = "bob" + UUID.randomUUID().toString().substring(0, 6);
        final TcpProxy proxy1;
        final TcpProxy proxy2;
        final GatewayNode node1;
        final GatewayNode node2;
        final List<RawStompClient> clients = new ArrayList<>();
        final Map<String, MessageCollector> topic;
        final Map<String, MessageCollector> inbox;
        final Rabbit backend = Rabbit.connect();
        final Set<String> backendTopic = new HashSet<>();
        final Set<String> backendUser = new HashSet<>();

        TwoNodes(String... properties) throws Exception {
            proxy1 = TcpProxy.toRabbit();
            proxy2 = TcpProxy.toRabbit();
            node1 = GatewayNode.startRabbitThrough(proxy1, with(properties));
            node2 = GatewayNode.startRabbitThrough(proxy2, with(properties));
            topic = Map.of("node1", subscribe(node1, "t1", "/topic/" + key), "node2", subscribe(node2, "t2", "/topic/" + key));
            inbox = Map.of("node1", subscribe(node1, user, "/user/queue/inbox"),
                    "node2", subscribe(node2, user, "/user/queue/inbox"));
        }

        private static String[] with(String[] properties, String... more) {
            List<String> all = new ArrayList<>(List.of(properties));
            all.add("spring.rabbitmq.requested-heartbeat=2s");
            all.addAll(List.of(more));
            return all.toArray(String[]::new);
        }

        private MessageCollector subscribe(GatewayNode node, String login, String destination) {
            RawStompClient client = node.client(login);
            clients.add(client);
            client.connectStomp();
            client.sendAndAwaitReceipt("SUBSCRIBE\nid:s\ndestination:" + destination + "\nreceipt:sub\n\n\0", "sub");
            return new MessageCollector(client, login + "@" + node.nodeId());
        }

        /** A backend message to the topic and one to the user, straight to the exchanges. */
        void backendPublishes(String tag) {
            String t = "backend-topic-" + tag;
            String u = "backend-user-" + tag;
            backend.publish("stomp.topic", key, new AMQP.BasicProperties.Builder().build(), t);
            backendTopic.add(t);
            backend.publish("stomp.user", user, new AMQP.BasicProperties.Builder()
                    .headers(Map.of("stomp-destination", "/queue/inbox")).build(), u);
            backendUser.add(u);
        }

        void awaitBothUp() {
            await().atMost(Duration.ofSeconds(30)).until(() -> node1.bean(MessageBroker.class).isUp()
                    && node2.bean(MessageBroker.class).isUp());
        }

        /** Waits until every subscriber has what it must have, then checks nothing arrived twice. */
        void assertExactlyOnce(String scenario, ReceiptedPublisher publisher) {
            Set<String> receipted = publisher.receipted();
            Set<String> topicExpected = new HashSet<>(receipted);
            topicExpected.addAll(backendTopic);
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                        topic.values().stream().allMatch(c -> c.hasAll(topicExpected))
                                && inbox.values().stream().allMatch(c -> c.hasAll(backendUser)));
            }
            catch (org.awaitility.core.ConditionTimeoutException e) {
                // fall through: the assertions below say what is missing
            }
            Thread.yield();
            StringBuilder figures = new StringBuilder("FAULT-FIGURES scenario=" + scenario + " sent="
                    + publisher.sent() + " receipted=" + receipted.size() + " errored=" + publisher.errored()
                    + " backend-topic=" + backendTopic.size() + " backend-user=" + backendUser.size());
            for (var e : topic.entrySet()) {
                figures.append(" topic@").append(e.getKey()).append(": lost=")
                        .append(e.getValue().missing(topicExpected).size()).append(" dup=")
                        .append(e.getValue().duplicated().size());
            }
            for (var e : inbox.entrySet()) {
                figures.append(" user@").append(e.getKey()).append(": lost=")
                        .append(e.getValue().missing(backendUser).size()).append(" dup=")
                        .append(e.getValue().duplicated().size());
            }
            figures.append(" copies-dropped=").append(node1.bean(RabbitBroker.class).copiesDropped()).append('/')
                    .append(node2.bean(RabbitBroker.class).copiesDropped());
            System.out.println(figures);
            assertThat(receipted).as("receipted SENDs").isNotEmpty();
            for (var e : topic.entrySet()) {
                assertThat(e.getValue().missing(topicExpected)).as("topic messages lost on " + e.getKey()).isEmpty();
                assertThat(e.getValue().duplicated()).as("topic messages twice on " + e.getKey()).isEmpty();
            }
            for (var e : inbox.entrySet()) {
                assertThat(e.getValue().missing(backendUser)).as("user messages lost on " + e.getKey()).isEmpty();
                assertThat(e.getValue().duplicated()).as("user messages twice on " + e.getKey()).isEmpty();
            }
        }

        @Override
        public void close() throws Exception {
            for (MessageCollector c : topic.values()) {
                c.close();
            }
            for (MessageCollector c : inbox.values()) {
                c.close();
            }
            clients.forEach(RawStompClient::close);
            node1.close();
            node2.close();
            proxy1.close();
            proxy2.close();
            backend.close();
        }
    }

    @Test
    void aThreeSecondCutOfBothNodesLosesAndDoublesNothing() throws Exception {
        threeSecondCut("classic-3s-cut");
    }

    @Test
    void aThreeSecondCutOfBothNodesLosesAndDoublesNothingWithQuorumNodeQueues() throws Exception {
        threeSecondCut("quorum-3s-cut", "gateway.rabbitmq.node-queue.type=quorum");
    }

    private void threeSecondCut(String scenario, String... properties) throws Exception {
        try (TwoNodes cluster = new TwoNodes(properties)) {
            ReceiptedPublisher publisher = new ReceiptedPublisher(cluster.node1, "/topic/" + cluster.key, "p", 50);
            Thread.sleep(1000);
            cluster.backendPublishes("before");
            cluster.proxy1.cut();
            cluster.proxy2.cut();
            for (int i = 0; i < 10; i++) {
                Thread.sleep(300);
                cluster.backendPublishes("cut-" + i);
            }
            cluster.proxy1.restore();
            cluster.proxy2.restore();
            cluster.awaitBothUp();
            Thread.sleep(1500);
            cluster.backendPublishes("after");
            publisher.stop(Duration.ofSeconds(10));

            cluster.assertExactlyOnce(scenario, publisher);
        }
    }

    @Test
    void tenShortCutsInARowLoseAndDoubleNothing() throws Exception {
        try (TwoNodes cluster = new TwoNodes()) {
            ReceiptedPublisher publisher = new ReceiptedPublisher(cluster.node1, "/topic/" + cluster.key, "p", 50);
            Thread.sleep(1000);
            for (int i = 0; i < 10; i++) {
                cluster.proxy1.cut();
                cluster.proxy2.cut();
                cluster.backendPublishes("cut-" + i);
                Thread.sleep(200);
                cluster.proxy1.restore();
                cluster.proxy2.restore();
                cluster.awaitBothUp();
                Thread.sleep(300);
            }
            Thread.sleep(1000);
            publisher.stop(Duration.ofSeconds(10));

            cluster.assertExactlyOnce("classic-10x200ms-cuts", publisher);
        }
    }

    @Test
    void anEightSecondFrozenPartitionOfOneNodeLosesAndDoublesNothing() throws Exception {
        try (TwoNodes cluster = new TwoNodes()) {
            ReceiptedPublisher publisher = new ReceiptedPublisher(cluster.node1, "/topic/" + cluster.key, "p", 50);
            Thread.sleep(1000);
            cluster.proxy2.freeze();
            for (int i = 0; i < 16; i++) {
                Thread.sleep(500);
                cluster.backendPublishes("frozen-" + i);
            }
            cluster.proxy2.thaw();
            cluster.awaitBothUp();
            Thread.sleep(1500);
            publisher.stop(Duration.ofSeconds(10));

            cluster.assertExactlyOnce("classic-8s-frozen-node2", publisher);
        }
    }
}
