package io.stompgate.wire.cluster;

import static io.stompgate.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway nodes in one JVM, in {@code rabbitmq} mode, against the tests' real
 * RabbitMQ ({@link io.stompgate.testing.TestRabbit}): what the contract's section 5 promises across nodes.
 */
@NeedsRabbitMQ
class TwoNodeClusterTest {

    static GatewayNode nodeA;
    static GatewayNode nodeB;
    static Rabbit rabbit;

    @BeforeAll
    static void startNodes() {
        rabbit = Rabbit.connect();
        nodeA = GatewayNode.startRabbit();
        nodeB = GatewayNode.startRabbit();
    }

    @AfterAll
    static void stopNodes() {
        nodeA.close();
        nodeB.close();
        QUEUES.forEach(rabbit::deleteQueue);
        rabbit.close();
    }

    private static final java.util.List<String> QUEUES = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static String uniqueQueue(String prefix) {
        String name = unique(prefix);
        QUEUES.add("stomp.queue." + name);
        return name;
    }

    private static void subscribe(RawStompClient client, String id, String destination, String... extra) {
        StringBuilder frame = new StringBuilder("SUBSCRIBE\nid:" + id + "\ndestination:" + destination + "\nreceipt:sub-" + id + "\n");
        for (int i = 0; i < extra.length; i += 2) {
            frame.append(extra[i]).append(':').append(extra[i + 1]).append('\n');
        }
        client.sendText(frame.append("\n\0").toString());
        StompFrame receipt = client.expect(f -> f.command() == StompCommand.RECEIPT || f.command() == StompCommand.ERROR,
                Duration.ofSeconds(10));
        assertThat(receipt.command()).as("answer to SUBSCRIBE %s", destination).isEqualTo(StompCommand.RECEIPT);
        assertThat(receipt.header("receipt-id")).isEqualTo("sub-" + id);
    }

    private static void send(RawStompClient client, String destination, String body, String... extra) {
        String receipt = unique("r");
        StringBuilder frame = new StringBuilder("SEND\ndestination:" + destination + "\nreceipt:" + receipt + "\n");
        for (int i = 0; i < extra.length; i += 2) {
            frame.append(extra[i]).append(':').append(extra[i + 1]).append('\n');
        }
        client.sendText(frame.append("\n").append(body).append("\0").toString());
        // A MESSAGE may overtake the RECEIPT (the sender may be a subscriber): keep it for nextMessage.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            StompFrame answer = client.next(Duration.ofMillis(100));
            if (answer == null) {
                continue;
            }
            if (answer.command() == StompCommand.MESSAGE) {
                early(client).add(answer);
                continue;
            }
            assertThat(answer.command()).as("answer to SEND %s: %s", destination, answer.header("message"))
                    .isEqualTo(StompCommand.RECEIPT);
            assertThat(answer.header("receipt-id")).isEqualTo(receipt);
            return;
        }
        throw new AssertionError("no RECEIPT for SEND to " + destination);
    }

    private static final Map<RawStompClient, java.util.Deque<StompFrame>> EARLY = new java.util.concurrent.ConcurrentHashMap<>();

    private static java.util.Deque<StompFrame> early(RawStompClient client) {
        return EARLY.computeIfAbsent(client, c -> new java.util.concurrent.ConcurrentLinkedDeque<>());
    }

    private static StompFrame nextMessage(RawStompClient client) {
        StompFrame kept = early(client).pollFirst();
        return kept != null ? kept : client.expect(f -> f.command() == StompCommand.MESSAGE, Duration.ofSeconds(10));
    }

    @Test
    void wildcardSubscriberOnOtherNodeReceivesAfterReceipt() {
        String root = unique("t");
        try (RawStompClient alice = nodeA.client("alice"); RawStompClient bob = nodeB.client("bob")) {
            alice.connectStomp();
            bob.connectStomp();
            subscribe(alice, "star", "/topic/" + root + ".*.prices");
            subscribe(alice, "hash", "/topic/" + root + ".#");
            send(bob, "/topic/" + root + ".eu.prices", "42", "content-type", "text/plain", "x-trace", "abc");
            StompFrame first = nextMessage(alice);
            StompFrame second = nextMessage(alice);
            assertThat(java.util.Set.of(first.header("subscription"), second.header("subscription")))
                    .containsExactlyInAnyOrder("star", "hash");
            for (StompFrame m : new StompFrame[] {first, second}) {
                assertThat(m.header("destination")).isEqualTo("/topic/" + root + ".eu.prices");
                assertThat(m.header("content-type")).isEqualTo("text/plain");
                assertThat(m.header("x-trace")).isEqualTo("abc");
                assertThat(RawStompClient.text(m)).isEqualTo("42");
            }
            assertThat(first.header("message-id")).isNotEqualTo(second.header("message-id"));
        }
    }

    @Test
    void messagesSayWhichNodeDeliveredThemAndASenderCannotForgeIt() {
        String topic = "/topic/" + unique("node");
        try (RawStompClient reader = nodeB.client("reader"); RawStompClient sender = nodeA.client("sender")) {
            assertThat(reader.connectStomp().header("x-node")).isEqualTo(nodeB.nodeId());
            sender.connectStomp();
            subscribe(reader, "s", topic);
            send(sender, topic, "hi", "x-node", "forged-node");
            StompFrame m = nextMessage(reader);
            assertThat(m.header("x-node")).isEqualTo(nodeB.nodeId());
            assertThat(m.headers().names().stream().filter("x-node"::equals).count()).isEqualTo(1);
        }
    }

    @Test
    void senderSubscribedToItsOwnTopicReceivesItsMessageOnce() {
        String topic = "/topic/" + unique("self");
        try (RawStompClient alice = nodeA.client("alice")) {
            alice.connectStomp();
            subscribe(alice, "s", topic);
            send(alice, topic, "echo");
            assertThat(RawStompClient.text(nextMessage(alice))).isEqualTo("echo");
            assertThat(alice.next(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void userDestinationReachesEverySessionOfTheUserOnBothNodesAndNobodyElse() {
        String user = unique("u");
        try (RawStompClient onA = nodeA.client(user); RawStompClient onB = nodeB.client(user);
             RawStompClient other = nodeA.client(unique("o")); RawStompClient sender = nodeB.client("sender")) {
            onA.connectStomp();
            onB.connectStomp();
            other.connectStomp();
            sender.connectStomp();
            subscribe(onA, "in", "/user/queue/inbox");
            subscribe(onB, "in", "/user/queue/inbox");
            subscribe(other, "in", "/user/queue/inbox");
            send(sender, "/user/" + user + "/queue/inbox", "psst");
            for (RawStompClient c : new RawStompClient[] {onA, onB}) {
                StompFrame m = nextMessage(c);
                assertThat(m.header("destination")).isEqualTo("/user/queue/inbox");
                assertThat(RawStompClient.text(m)).isEqualTo("psst");
            }
            assertThat(other.next(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void unacknowledgedQueueMessagesOfAClosedSessionAreRedeliveredOnTheOtherNode() {
        String queue = uniqueQueue("jobs");
        try (RawStompClient producer = nodeA.client("producer"); RawStompClient worker2 = nodeB.client("w2")) {
            producer.connectStomp();
            worker2.connectStomp();
            RawStompClient worker1 = nodeA.client("w1");
            worker1.connectStomp();
            subscribe(worker1, "q", "/queue/" + queue, "ack", "client-individual");
            for (int i = 0; i < 3; i++) {
                send(producer, "/queue/" + queue, "job-" + i);
            }
            for (int i = 0; i < 3; i++) {
                StompFrame m = nextMessage(worker1);
                assertThat(m.header("ack")).isNotNull();
                assertThat(m.header("destination")).isEqualTo("/queue/" + queue);
            }
            worker1.close(); // no ACKs: all three go back to the queue
            subscribe(worker2, "q", "/queue/" + queue, "ack", "client-individual");
            java.util.Set<String> bodies = new java.util.HashSet<>();
            for (int i = 0; i < 3; i++) {
                StompFrame m = nextMessage(worker2);
                assertThat(m.header("redelivered")).isEqualTo("true");
                bodies.add(RawStompClient.text(m));
                worker2.sendText("ACK\nid:" + m.header("ack") + "\n\n\0");
            }
            assertThat(bodies).containsExactlyInAnyOrder("job-0", "job-1", "job-2");
        }
    }

    @Test
    void queueMessagesAreSharedBetweenConsumersOnBothNodes() {
        String queue = uniqueQueue("work");
        try (RawStompClient producer = nodeA.client("p"); RawStompClient c1 = nodeA.client("c1");
             RawStompClient c2 = nodeB.client("c2")) {
            producer.connectStomp();
            c1.connectStomp();
            c2.connectStomp();
            subscribe(c1, "q", "/queue/" + queue);
            subscribe(c2, "q", "/queue/" + queue);
            int n = 20;
            for (int i = 0; i < n; i++) {
                send(producer, "/queue/" + queue, "m" + i);
            }
            java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            int fromC1 = 0;
            int fromC2 = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.size() < n && System.nanoTime() < deadline) {
                StompFrame a = c1.next(Duration.ofMillis(100));
                if (a != null && a.command() == StompCommand.MESSAGE) {
                    assertThat(seen.add(RawStompClient.text(a))).isTrue();
                    fromC1++;
                }
                StompFrame b = c2.next(Duration.ofMillis(100));
                if (b != null && b.command() == StompCommand.MESSAGE) {
                    assertThat(seen.add(RawStompClient.text(b))).isTrue();
                    fromC2++;
                }
            }
            assertThat(seen).hasSize(n);
            assertThat(fromC1).isPositive();
            assertThat(fromC2).isPositive();
        }
    }

    @Test
    void appMessagesReachAnAmqpBackendWithTheSendersIdentity() throws Exception {
        String key = unique("orders") + ".create";
        Channel channel = rabbit.channel();
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, "stomp.app", key);
        BlockingQueue<com.rabbitmq.client.Delivery> got = new LinkedBlockingQueue<>();
        DeliverCallback callback = (tag, delivery) -> got.add(delivery);
        channel.basicConsume(queue, true, callback, tag -> { });
        try (RawStompClient alice = nodeA.client("alice")) {
            StompFrame connected = alice.connectStomp();
            send(alice, "/app/" + key, "{\"qty\":1}", "content-type", "application/json", "x-order", "7");
            com.rabbitmq.client.Delivery d = got.poll(10, TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(d.getEnvelope().getRoutingKey()).isEqualTo(key);
            assertThat(new String(d.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"qty\":1}");
            AMQP.BasicProperties props = d.getProperties();
            assertThat(props.getContentType()).isEqualTo("application/json");
            Map<String, Object> headers = props.getHeaders();
            assertThat(headers.get("stomp-user").toString()).isEqualTo("alice");
            assertThat(headers.get("stomp-session").toString()).isEqualTo(connected.header("session"));
            assertThat(headers.get("stomp-node").toString()).isEqualTo(nodeA.nodeId());
            assertThat(headers.get("x-order").toString()).isEqualTo("7");
        }
        finally {
            channel.close();
        }
    }

    @Test
    void appMessageWithNoBackendBoundGetsAnError() {
        try (RawStompClient alice = nodeA.client("alice")) {
            alice.connectStomp();
            alice.sendText("SEND\ndestination:/app/" + unique("nobody") + "\nreceipt:r\n\nx\0");
            assertError(alice.expect(f -> f.command() == StompCommand.ERROR, Duration.ofSeconds(10)), "no application backend");
            assertThat(alice.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void backendPublishedMessagesReachTopicAndUserSubscribers() {
        String key = unique("feed") + ".news";
        String user = unique("u");
        try (RawStompClient reader = nodeB.client(user)) {
            reader.connectStomp();
            subscribe(reader, "t", "/topic/" + key);
            subscribe(reader, "u", "/user/queue/alerts");
            rabbit.publish("stomp.topic", key, new AMQP.BasicProperties.Builder().contentType("text/plain")
                    .headers(Map.of("x-source", "backend", "x-number", 5)).build(), "from backend");
            StompFrame topicMessage = nextMessage(reader);
            assertThat(topicMessage.header("destination")).isEqualTo("/topic/" + key);
            assertThat(topicMessage.header("content-type")).isEqualTo("text/plain");
            assertThat(topicMessage.header("x-source")).isEqualTo("backend");
            assertThat(topicMessage.header("x-number")).as("only string headers cross over").isNull();
            assertThat(topicMessage.header("message-id")).isNotBlank();
            rabbit.publish("stomp.user", user, new AMQP.BasicProperties.Builder()
                    .headers(Map.of("stomp-destination", "/queue/alerts")).build(), "for you");
            StompFrame userMessage = nextMessage(reader);
            assertThat(userMessage.header("destination")).isEqualTo("/user/queue/alerts");
            assertThat(RawStompClient.text(userMessage)).isEqualTo("for you");
        }
    }

    @Test
    void bindingsFollowTheFirstAndLastLocalSubscriber() {
        String key = unique("count") + ".x";
        String queue = "stomp.node." + nodeA.nodeId();
        try (RawStompClient c1 = nodeA.client("c1"); RawStompClient c2 = nodeA.client("c2")) {
            c1.connectStomp();
            c2.connectStomp();
            subscribe(c1, "s", "/topic/" + key);
            subscribe(c2, "s", "/topic/" + key);
            assertThat(Rabbit.topicBindings(queue, key)).isEqualTo(1);
            c1.sendText("UNSUBSCRIBE\nid:s\nreceipt:u1\n\n\0");
            c1.expect(f -> f.command() == StompCommand.RECEIPT, Duration.ofSeconds(5));
            assertThat(Rabbit.topicBindings(queue, key)).as("one subscriber left").isEqualTo(1);
            c2.close(); // the last subscriber goes with its session
            await().atMost(Duration.ofSeconds(10)).until(() -> Rabbit.topicBindings(queue, key) == 0);
        }
    }

    @Test
    void userBindingFollowsTheFirstAndLastSessionOfTheUser() {
        String user = unique("u");
        String queue = "stomp.node." + nodeA.nodeId();
        RawStompClient s1 = nodeA.client(user);
        RawStompClient s2 = nodeA.client(user);
        s1.connectStomp();
        s2.connectStomp();
        assertThat(Rabbit.userBindings(queue, user)).isEqualTo(1);
        s1.close();
        assertThat(nodeA.bean(SessionRegistry.class).userCount()).isPositive();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Rabbit.userBindings(queue, user)).isEqualTo(1));
        s2.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> Rabbit.userBindings(queue, user) == 0);
    }

    @Test
    void aStoppedNodesQueueIsGone() {
        try (GatewayNode third = GatewayNode.startRabbit()) {
            String queue = "stomp.node." + third.nodeId();
            assertThat(Rabbit.queueExists(queue)).isTrue();
            third.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !Rabbit.queueExists(queue));
        }
    }
}
