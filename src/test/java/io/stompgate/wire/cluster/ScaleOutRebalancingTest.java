package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import io.stompgate.cluster.ClusterNode;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md §8 end to end: two nodes hold 60 sessions, a third joins, and the
 * two hand sessions back until the three are near the mean. The clients act as the
 * load balancer: one closed with {@code ERROR rebalancing} reconnects to the next live
 * node in a round-robin and resumes its history topic from the offset after the last
 * message it got (§7), so it loses nothing.
 */
@NeedsRabbitMQ
class ScaleOutRebalancingTest {

    private static final int CLIENTS = 60;
    private final String room = "rebal" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final String stream = "stomp.history.rebal-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> open = new ArrayList<>();

    private GatewayNode node() {
        GatewayNode node = GatewayNode.startRabbit(
                "gateway.cluster.announce-interval=500ms",
                // 60 sessions: a third node is 20 below the mean, the busy ones 10 above it.
                "gateway.rebalance.min-excess=2",
                "gateway.history.destinations=/topic/" + room + ".#",
                "gateway.rabbitmq.history-stream=" + stream,
                "gateway.drain.period=1s");
        open.add(node);
        return node;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close(); // the clients before the nodes they are on
        }
        try (Rabbit rabbit = Rabbit.connect()) {
            rabbit.deleteQueue(stream);
        }
    }

    /** The client-side load balancer: round-robin over the nodes that are live. */
    private static final class RoundRobin {
        final List<Integer> ports = new CopyOnWriteArrayList<>();
        final AtomicInteger next = new AtomicInteger();

        int pick() {
            return ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
        }
    }

    /** One user: a session at a time, subscribed to the room's feed, resuming after each rebalancing close. */
    private final class ResumingClient {
        final String user;
        final String topic;
        final List<Integer> numbers = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        RawStompClient connection;
        long lastOffset = -1;
        int rebalanced;

        ResumingClient(String user, String topic) {
            this.user = user;
            this.topic = topic;
        }

        /**
         * Connects through the balancer and subscribes, resuming after the last offset it got; a node may hand
         * the new session back at once (it cannot tell it from the others), and then it goes on to the next.
         */
        void connect(RoundRobin balancer) {
            for (int attempt = 0; attempt < 20; attempt++) {
                int port = balancer.pick();
                connection = RawStompClient.connectAs(port, user);
                StompFrame connected = connection.connectStomp();
                assertThat(connected.command()).as("%s on %d: %s", user, port, connected.header("message"))
                        .isEqualTo(StompCommand.CONNECTED);
                String from = lastOffset < 0 ? "" : "x-stream-offset:offset=" + (lastOffset + 1) + "\n";
                connection.sendText("SUBSCRIBE\nid:feed\ndestination:" + topic + "\n" + from + "receipt:sub\n\n\0");
                StompFrame answer = connection.expect(f -> f.command() == StompCommand.RECEIPT
                        || f.command() == StompCommand.ERROR, Duration.ofSeconds(10));
                if (answer.command() == StompCommand.RECEIPT) {
                    if (lastOffset >= 0 && !"true".equals(answer.header("x-stream-recovered"))) {
                        unexpected.add("resumed with x-stream-recovered " + answer.header("x-stream-recovered"));
                    }
                    return;
                }
                if (!"rebalancing".equals(answer.header("message"))) {
                    unexpected.add(RawStompClient.describe(answer));
                }
                rebalanced++;
                connection.close();
            }
            throw new AssertionError(user + " handed back 20 times in a row");
        }

        /** Takes what has arrived; on ERROR rebalancing, reconnects through the balancer and resumes. */
        void pump(RoundRobin balancer) {
            for (;;) {
                StompFrame f = connection.next(Duration.ZERO);
                if (f == null) {
                    if (!connection.isOpen()) {
                        unexpected.add("closed without an ERROR");
                        connect(balancer);
                    }
                    return;
                }
                if (f.command() == StompCommand.MESSAGE) {
                    numbers.add(Integer.parseInt(RawStompClient.text(f).substring(1)));
                    lastOffset = Long.parseLong(f.header("x-stream-offset"));
                }
                else if (f.command() == StompCommand.ERROR && "rebalancing".equals(f.header("message"))) {
                    rebalanced++;
                    connection.close();
                    connect(balancer);
                }
                else {
                    unexpected.add(RawStompClient.describe(f));
                }
            }
        }
    }

    @Test
    void twoNodesThenAThirdSettleWithinTheToleranceAndResumingClientsLoseNothing() throws Exception {
        GatewayNode a = node();
        GatewayNode b = node();
        await().atMost(Duration.ofSeconds(20)).until(() -> ClusterTable.of(a.port()).hasReady(a.nodeId(), b.nodeId())
                && ClusterTable.of(b.port()).hasReady(a.nodeId(), b.nodeId()));
        String topic = "/topic/" + room + ".feed";
        RoundRobin balancer = new RoundRobin();
        balancer.ports.add(a.port());
        balancer.ports.add(b.port());
        List<ResumingClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ResumingClient c = new ResumingClient("u" + i, topic);
            c.connect(balancer);
            clients.add(c);
        }
        assertThat(sessions(a)).isEqualTo(30);
        assertThat(sessions(b)).isEqualTo(30);

        // A backend publishes p0, p1, ... to the feed all along (no session of its own to move).
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            try (Rabbit rabbit = Rabbit.connect()) {
                while (publishing.get()) {
                    int n = published.get();
                    rabbit.publish("stomp.topic", room + ".feed", new AMQP.BasicProperties(), "p" + n);
                    published.incrementAndGet();
                    Thread.sleep(20);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "feed-publisher");
        publisher.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            clients.forEach(c -> c.pump(balancer));
            return clients.stream().allMatch(c -> !c.numbers.isEmpty());
        });

        open.add(() -> clients.forEach(cl -> cl.connection.close()));
        GatewayNode c = node();
        await().atMost(Duration.ofSeconds(20)).until(() -> ClusterTable.ready(c.port()));
        balancer.ports.add(c.port());
        long joined = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            clients.forEach(cl -> cl.pump(balancer));
            int onA = sessions(a);
            int onB = sessions(b);
            int onC = sessions(c);
            return onA + onB + onC == CLIENTS && within(onA) && within(onB) && within(onC);
        });
        long settledMs = (System.nanoTime() - joined) / 1_000_000;

        publishing.set(false);
        publisher.join(10_000);
        int last = published.get() - 1;
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            clients.forEach(cl -> cl.pump(balancer));
            return clients.stream().allMatch(cl -> !cl.numbers.isEmpty() && cl.numbers.get(cl.numbers.size() - 1) == last);
        });

        // A node may close a few more while it holds the mean for an interval: every close the nodes
        // counted reaches its client as an ERROR once the clients have read what arrived.
        java.util.function.LongSupplier countedNow = () -> a.bean(ClusterNode.class).rebalanceCloses()
                + b.bean(ClusterNode.class).rebalanceCloses() + c.bean(ClusterNode.class).rebalanceCloses();
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                clients.forEach(cl -> cl.pump(balancer));
                return countedNow.getAsLong() == clients.stream().mapToInt(cl -> cl.rebalanced).sum();
            });
        }
        catch (org.awaitility.core.ConditionTimeoutException e) {
            // the assertion below says by how much they differ
        }
        int rebalanced = clients.stream().mapToInt(cl -> cl.rebalanced).sum();
        long counted = countedNow.getAsLong();
        System.out.printf("2->3 with %d sessions: within 14-26 after %d ms, %d closed with rebalancing; "
                + "a=%d b=%d c=%d%n", CLIENTS, settledMs, rebalanced, sessions(a), sessions(b), sessions(c));
        assertThat(rebalanced).as("sessions handed back").isGreaterThanOrEqualTo(CLIENTS / 3 - 6);
        assertThat(counted).as("stomp_rebalance_closes_total, all nodes").isEqualTo(rebalanced);
        assertThat(c.bean(ClusterNode.class).rebalanceCloses()).as("the new node sheds nothing").isZero();
        for (ResumingClient cl : clients) {
            assertThat(cl.unexpected).as("%s: every close was an ERROR rebalancing", cl.user).isEmpty();
            int first = cl.numbers.get(0);
            assertThat(cl.numbers).as("%s after %d rebalancing closes: every message from its first on, once, in order",
                    cl.user, cl.rebalanced)
                    .containsExactly(java.util.stream.IntStream.rangeClosed(first, last).boxed().toArray(Integer[]::new));
        }
    }

    private static boolean within(int sessions) {
        return sessions >= 14 && sessions <= 26;
    }

    private static int sessions(GatewayNode node) {
        return node.bean(SessionRegistry.class).sessionCount();
    }
}
