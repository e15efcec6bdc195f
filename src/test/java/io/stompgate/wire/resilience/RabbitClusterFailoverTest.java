package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.rabbitmq.RabbitBroker;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.MessageCollector;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RabbitCluster;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.ReceiptedPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway on a real RabbitMQ cluster (docs/protocol.md §5.2): three RabbitMQ
 * nodes on this machine ({@link RabbitCluster}), two gateway nodes given all three
 * in {@code spring.rabbitmq.addresses}, a subscriber to one topic on each, and a
 * publisher SENDing 50 messages a second with receipts on gateway node 1. Under
 * that traffic the RabbitMQ node that holds a gateway node's connection — and so
 * its node queue, declared through that connection — is stopped or killed, and
 * started again five seconds later (it takes some ten seconds more to be back).
 *
 * <p>With {@code quorum} node queues the queue lives on: every receipted SEND
 * reaches every subscriber exactly once. With {@code classic} node queues the queue
 * is on the stopped node alone: what the test asserts is only what must still hold
 * (the other gateway node's subscriber loses nothing, nothing arrives twice, delivery
 * resumes once the RabbitMQ node is back) and it prints what was lost. Each scenario
 * prints one {@code CLUSTER-FIGURES} line: where each gateway node's connection and
 * node queue were, how long each gateway node was without RabbitMQ, the SENDs
 * (receipted, refused with an ERROR, unanswered: written after the ERROR that closed
 * their session) and per subscriber the messages received, receipted ones lost and
 * messages received twice.
 */
@Tag(NeedsRabbitMQ.TAG)
@Tag(RabbitCluster.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitClusterFailoverTest {

    private static final int RATE = 50;
    private static final Duration DOWN = Duration.ofSeconds(5);

    private RabbitCluster cluster;

    @BeforeAll
    void startCluster() {
        cluster = RabbitCluster.start();
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void wholeCluster() {
        cluster.startAllNodes();
    }

    @Test
    void quorumNodeQueuesLoseAndDoubleNothingWhenTheRabbitNodeOfOneGatewayNodeStops() throws Exception {
        Figures f = run("quorum", Addresses.EACH_ITS_OWN_FIRST, 2, Fault.STOP);
        f.assertExactlyOnceEverywhere();
    }

    @Test
    void quorumNodeQueuesLoseAndDoubleNothingWhenTheRabbitNodeOfBothGatewayNodesCrashes() throws Exception {
        Figures f = run("quorum", Addresses.SAME_ORDER, 1, Fault.KILL);
        f.assertExactlyOnceEverywhere();
    }

    @Test
    void classicNodeQueuesLoseWhatIsRoutedWhileTheirRabbitNodeIsDownAndNothingElse() throws Exception {
        Figures f = run("classic", Addresses.EACH_ITS_OWN_FIRST, 2, Fault.STOP);
        f.assertWhatMustHoldWithClassicQueues();
    }

    /**
     * How the gateway nodes list the three RabbitMQ nodes in {@code spring.rabbitmq.addresses}.
     * The gateway's AMQP client tries them in the order given (it does not shuffle them), and a
     * node queue is declared, and so placed, on the RabbitMQ node of its gateway node's connection.
     */
    private enum Addresses {
        /** Gateway node {@code g} lists RabbitMQ node {@code g} first: the two node queues on different nodes. */
        EACH_ITS_OWN_FIRST,
        /** Both list RabbitMQ node 1 first, as one shared configuration does: everything on node 1. */
        SAME_ORDER
    }

    /** How the RabbitMQ node goes. */
    private enum Fault {
        /** Gracefully, as {@code rabbitmqctl stop} does. */
        STOP,
        /** SIGKILL: a crash. */
        KILL
    }

    /**
     * Two gateway nodes on the cluster, a topic subscriber on each, a publisher on gateway node
     * 1; then the RabbitMQ node holding gateway node {@code victimOf}'s connection goes (for
     * {@link #DOWN}), comes back, and both gateway nodes are up again; the publisher SENDs two
     * seconds more. Returns what each subscriber got.
     */
    private Figures run(String queueType, Addresses addresses, int victimOf, Fault fault) throws Exception {
        String key = "failover" + UUID.randomUUID().toString().substring(0, 8);
        String scenario = queueType + "-" + fault.name().toLowerCase(java.util.Locale.ROOT) + "-rabbit-of-gw" + victimOf
                + (addresses == Addresses.SAME_ORDER ? "-same-address-order" : "");
        List<RawStompClient> clients = new ArrayList<>();
        List<MessageCollector> collectors = new ArrayList<>();
        int firstOfGw2 = addresses == Addresses.SAME_ORDER ? 1 : 2;
        try (GatewayNode gw1 = startGateway(queueType, 1);
                GatewayNode gw2 = startGateway(queueType, firstOfGw2)) {
            List<GatewayNode> gateways = List.of(gw1, gw2);
            await().atMost(Duration.ofSeconds(30)).until(() -> up(gw1) && up(gw2));
            for (GatewayNode gw : gateways) {
                RawStompClient client = gw.client("sub");
                clients.add(client);
                client.connectStomp();
                client.sendAndAwaitReceipt("SUBSCRIBE\nid:t\ndestination:/topic/" + key + "\nreceipt:t\n\n\0", "t");
                collectors.add(new MessageCollector(client, "sub@" + gw.nodeId()));
            }
            Figures f = new Figures(scenario, queueType, gateways, collectors);
            Map<String, Integer> connections = cluster.connectionNodes();
            Map<String, Integer> queues = cluster.queueNodes();
            for (int g = 0; g < 2; g++) {
                String id = gateways.get(g).nodeId();
                assertThat(connections).as("RabbitMQ nodes of the connections").containsKey("stompgate " + id);
                assertThat(queues).as("RabbitMQ nodes of the queues").containsKey("stomp.node." + id);
                f.connectionNode[g] = connections.get("stompgate " + id);
                f.queueNode[g] = queues.get("stomp.node." + id);
            }
            f.victim = f.connectionNode[victimOf - 1];

            ReceiptedPublisher publisher = new ReceiptedPublisher(gw1, "/topic/" + key, "p", RATE);
            DownTime[] downTimes = {new DownTime(gw1), new DownTime(gw2)};
            try {
                Thread.sleep(2000);
                long stoppedAt = System.nanoTime();
                if (fault == Fault.KILL) {
                    cluster.killNode(f.victim);
                }
                else {
                    cluster.stopNode(f.victim);
                }
                Thread.sleep(Math.max(0, DOWN.toMillis() - (System.nanoTime() - stoppedAt) / 1_000_000));
                cluster.startNode(f.victim);
                f.rabbitDownMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
                await().atMost(Duration.ofSeconds(60)).until(() -> up(gw1) && up(gw2));
                // From here on every gateway node is connected and consuming again: what is SENT now must arrive.
                f.firstAfterRecovery = publisher.sent();
                Thread.sleep(2000);
                publisher.stop(Duration.ofSeconds(10));
            }
            finally {
                for (DownTime d : downTimes) {
                    d.close();
                }
            }
            for (int g = 0; g < 2; g++) {
                f.gatewayDownMillis[g] = downTimes[g].millis();
            }
            f.sent = publisher.sent();
            f.errored = publisher.errored();
            f.receipted = publisher.receipted();
            f.awaitDeliveries();
            f.print();
            return f;
        }
        finally {
            for (MessageCollector c : collectors) {
                c.close();
            }
            clients.forEach(RawStompClient::close);
        }
    }

    /**
     * A gateway node on the cluster (not on the tests' usual broker), listing all three RabbitMQ
     * nodes with RabbitMQ node {@code first} first.
     */
    private GatewayNode startGateway(String queueType, int first) {
        String nodeId = "failover-" + UUID.randomUUID().toString().substring(0, 8);
        return GatewayNode.start(nodeId, List.of(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--gateway.node-id=" + nodeId,
                "--gateway.broker=rabbitmq",
                "--spring.rabbitmq.addresses=" + cluster.addresses(first),
                "--spring.rabbitmq.username=" + RabbitCluster.USERNAME,
                "--spring.rabbitmq.password=" + RabbitCluster.PASSWORD,
                "--spring.rabbitmq.virtual-host=/",
                "--spring.rabbitmq.requested-heartbeat=2s",
                "--gateway.rabbitmq.node-queue.type=" + queueType));
    }

    private static boolean up(GatewayNode gw) {
        return gw.bean(MessageBroker.class).isUp();
    }

    /** How long one gateway node's broker was down in all, sampled every 20 ms. */
    private static final class DownTime implements AutoCloseable {
        private final AtomicLong downNanos = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        DownTime(GatewayNode gw) {
            BooleanSupplier up = () -> up(gw);
            thread = new Thread(() -> {
                long last = System.nanoTime();
                while (running) {
                    try {
                        Thread.sleep(20);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (!up.getAsBoolean()) {
                        downNanos.addAndGet(now - last);
                    }
                    last = now;
                }
            }, "downtime-" + gw.nodeId());
            thread.setDaemon(true);
            thread.start();
        }

        long millis() {
            return downNanos.get() / 1_000_000;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(1000);
        }
    }

    /** What one scenario did and what each subscriber got. */
    private final class Figures {
        final String scenario;
        final String queueType;
        final List<GatewayNode> gateways;
        final List<MessageCollector> subscribers;
        final int[] connectionNode = new int[2];
        final int[] queueNode = new int[2];
        final long[] gatewayDownMillis = new long[2];
        int victim;
        long rabbitDownMillis;
        int firstAfterRecovery;
        int sent;
        int errored;
        Set<String> receipted = Set.of();

        Figures(String scenario, String queueType, List<GatewayNode> gateways, List<MessageCollector> subscribers) {
            this.scenario = scenario;
            this.queueType = queueType;
            this.gateways = gateways;
            this.subscribers = subscribers;
        }

        /** Receipted SENDs made once both gateway nodes were back: every subscriber must get them. */
        List<String> receiptedAfterRecovery() {
            return receipted.stream().filter(b -> index(b) >= firstAfterRecovery).toList();
        }

        private static int index(String body) {
            return Integer.parseInt(body.substring(body.lastIndexOf('-') + 1));
        }

        /** The gateway nodes whose node queue was on the stopped RabbitMQ node. */
        boolean queueOnVictim(int g) {
            return queueNode[g] == victim;
        }

        /**
         * Waits until each subscriber has what it must get: everything receipted where the
         * queue survives (quorum, or not on the stopped node), what was receipted after the
         * recovery otherwise; then a moment more, for late copies to show up as duplicates.
         */
        void awaitDeliveries() throws InterruptedException {
            List<String> after = receiptedAfterRecovery();
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (int g = 0; g < 2; g++) {
                        boolean mustHaveAll = "quorum".equals(queueType) || !queueOnVictim(g);
                        if (!subscribers.get(g).hasAll(mustHaveAll ? receipted : after)) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            catch (org.awaitility.core.ConditionTimeoutException e) {
                // the assertions say what is missing
            }
            Thread.sleep(500);
        }

        void print() {
            StringBuilder line = new StringBuilder("CLUSTER-FIGURES scenario=").append(scenario)
                    .append(" stopped=rabbit-").append(victim)
                    .append(" conn(gw1)=rabbit-").append(connectionNode[0])
                    .append(" conn(gw2)=rabbit-").append(connectionNode[1])
                    .append(" queue(gw1)=rabbit-").append(queueNode[0])
                    .append(" queue(gw2)=rabbit-").append(queueNode[1])
                    .append(" rabbit-down=").append(rabbitDownMillis).append("ms")
                    .append(" gw1-down=").append(gatewayDownMillis[0]).append("ms")
                    .append(" gw2-down=").append(gatewayDownMillis[1]).append("ms")
                    .append(" sent=").append(sent)
                    .append(" receipted=").append(receipted.size())
                    .append(" errored=").append(errored)
                    .append(" unanswered=").append(sent - receipted.size() - errored);
            for (int g = 0; g < 2; g++) {
                MessageCollector s = subscribers.get(g);
                List<String> lost = s.missing(receipted);
                line.append(" sub@gw").append(g + 1).append(": got=").append(s.total())
                        .append(" lost=").append(lost.size())
                        .append(" dup=").append(s.duplicated().size())
                        .append(" lost-after-recovery=").append(s.missing(receiptedAfterRecovery()).size());
                if (!lost.isEmpty()) {
                    line.append(" lost-range=p-").append(lost.stream().mapToInt(Figures::index).min().getAsInt())
                            .append("..p-").append(lost.stream().mapToInt(Figures::index).max().getAsInt());
                }
            }
            line.append(" copies-dropped=")
                    .append(gateways.get(0).bean(RabbitBroker.class).copiesDropped()).append('/')
                    .append(gateways.get(1).bean(RabbitBroker.class).copiesDropped());
            System.out.println(line);
        }

        void assertExactlyOnceEverywhere() {
            assertThat(receipted).as("receipted SENDs").hasSizeGreaterThan(RATE * 4);
            for (int g = 0; g < 2; g++) {
                assertThat(subscribers.get(g).missing(receipted)).as("receipted SENDs lost on gateway node " + (g + 1))
                        .isEmpty();
                assertThat(subscribers.get(g).duplicated()).as("messages twice on gateway node " + (g + 1)).isEmpty();
            }
        }

        void assertWhatMustHoldWithClassicQueues() {
            assertThat(receipted).as("receipted SENDs").hasSizeGreaterThan(RATE * 4);
            assertThat(receiptedAfterRecovery()).as("receipted SENDs after the recovery").isNotEmpty();
            for (int g = 0; g < 2; g++) {
                MessageCollector s = subscribers.get(g);
                if (!queueOnVictim(g)) {
                    assertThat(s.missing(receipted)).as("receipted SENDs lost on gateway node " + (g + 1)
                            + ", whose node queue was not on the stopped RabbitMQ node").isEmpty();
                }
                assertThat(s.missing(receiptedAfterRecovery())).as("receipted SENDs lost on gateway node " + (g + 1)
                        + " after the RabbitMQ node was back").isEmpty();
                assertThat(s.duplicated()).as("messages twice on gateway node " + (g + 1)).isEmpty();
            }
        }
    }
}
