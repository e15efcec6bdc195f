package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.cluster.ClusterNode;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

/**
 * When a node must not shed (docs/protocol.md §8): the cluster is balanced, a peer is
 * draining, a peer is not ready yet; and how the member table learns that a node is
 * gone, or that it is alone ({@code local} mode). Real RabbitMQ, nodes in this JVM.
 */
@NeedsRabbitMQ
class RebalancingGuardsTest {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private final List<AutoCloseable> open = new ArrayList<>();

    private GatewayNode node(String... extra) {
        List<String> properties = new ArrayList<>(List.of("gateway.cluster.announce-interval=" + INTERVAL.toMillis()
                + "ms", "gateway.rebalance.min-excess=2", "gateway.drain.period=1s"));
        properties.addAll(List.of(extra)); // a property given twice takes its last value
        GatewayNode node = GatewayNode.startRabbit(properties.toArray(String[]::new));
        open.add(node);
        return node;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private List<RawStompClient> connect(GatewayNode node, int n) {
        List<RawStompClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawStompClient c = node.client("u" + i);
            assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
            clients.add(c);
        }
        open.add(() -> clients.forEach(RawStompClient::close));
        return clients;
    }

    /** Frames the clients got: after CONNECTED nothing should come unless a node closes them. */
    private static List<String> framesReceived(List<RawStompClient> clients, Duration during) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long end = System.nanoTime() + during.toNanos();
        while (System.nanoTime() < end) {
            for (RawStompClient c : clients) {
                StompFrame f = c.next(Duration.ZERO);
                if (f != null) {
                    got.add(RawStompClient.describe(f));
                }
            }
            Thread.sleep(50);
        }
        return got;
    }

    private static void awaitState(GatewayNode observer, GatewayNode member, String state) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ClusterTable.Row row = ClusterTable.of(observer.port()).member(member.nodeId());
            return row != null && row.state().equals(state);
        });
    }

    @Test
    void balancedNodesShedNothingOverTenSeconds() throws Exception {
        GatewayNode a = node();
        GatewayNode b = node();
        awaitState(a, b, "ready");
        awaitState(b, a, "ready");
        List<RawStompClient> clients = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            clients.addAll(connect(a, 1));
            clients.addAll(connect(b, 1));
        }

        assertThat(framesReceived(clients, Duration.ofSeconds(10))).isEmpty();
        assertThat(a.bean(ClusterNode.class).rebalanceCloses()).isZero();
        assertThat(b.bean(ClusterNode.class).rebalanceCloses()).isZero();
        assertThat(ClusterTable.of(a.port()).member(b.nodeId()).sessions()).isEqualTo(30);
    }

    @Test
    void aNodeWhosePeerIsDrainingShedsNothing() throws Exception {
        GatewayNode a = node();
        GatewayNode b = node("gateway.drain.period=30s");
        awaitState(a, b, "ready");
        connect(b, 2); // one closed at once, the other 15 s into the drain: draining that long
        CompletableFuture<Void> drain = CompletableFuture.runAsync(b::close);
        open.add(() -> drain.get());
        long drainStarted = System.nanoTime();
        awaitState(a, b, "draining");
        long heardMs = (System.nanoTime() - drainStarted) / 1_000_000;
        assertThat(heardMs).as("draining announced at once, not at the next interval").isLessThan(INTERVAL.toMillis());

        List<RawStompClient> onA = connect(a, 40); // 40 against 1: far above its share

        assertThat(framesReceived(onA, Duration.ofSeconds(5))).isEmpty();
        assertThat(a.bean(ClusterNode.class).rebalanceCloses()).isZero();
        assertThat(ClusterTable.of(a.port()).member(b.nodeId()).state()).isEqualTo("draining");
    }

    @Test
    void aNodeWhosePeerIsNotReadyShedsNothingUntilItIs() throws Exception {
        GatewayNode a = node();
        GatewayNode b = node();
        awaitState(a, b, "ready");
        AvailabilityChangeEvent.publish(b.context(), ReadinessState.REFUSING_TRAFFIC);
        awaitState(a, b, "starting");

        List<RawStompClient> onA = connect(a, 40);
        assertThat(framesReceived(onA, Duration.ofSeconds(5))).isEmpty();
        assertThat(a.bean(ClusterNode.class).rebalanceCloses()).isZero();

        AvailabilityChangeEvent.publish(b.context(), ReadinessState.ACCEPTING_TRAFFIC);
        // Now it sheds, the peer having been the only reason not to; the load balancer sends the closed
        // clients to the peer, the less loaded node.
        List<String> closes = new ArrayList<>();
        List<RawStompClient> moved = new ArrayList<>();
        open.add(() -> moved.forEach(RawStompClient::close));
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            for (RawStompClient c : onA) {
                StompFrame f = c.next(Duration.ZERO);
                if (f != null) {
                    closes.add(RawStompClient.describe(f));
                    moved.addAll(connect(b, 1));
                }
            }
            Thread.sleep(20);
        }
        assertThat(closes).hasSize(20).allSatisfy(f -> assertThat(f).startsWith("ERROR").contains("rebalancing"));
        assertThat(a.bean(SessionRegistry.class).sessionCount()).as("the mean, never below").isEqualTo(20);
        assertThat(b.bean(SessionRegistry.class).sessionCount()).isEqualTo(20);
        assertThat(a.bean(ClusterNode.class).rebalanceCloses()).isEqualTo(20);
    }

    @Test
    void aNodeCutOffFromTheBrokerLeavesTheTableWithinThreeIntervals() throws Exception {
        TcpProxy proxy = TcpProxy.toRabbit();
        open.add(proxy);
        GatewayNode a = node();
        GatewayNode b = GatewayNode.startRabbitThrough(proxy, "gateway.cluster.announce-interval="
                + INTERVAL.toMillis() + "ms", "gateway.rebalance.min-excess=2", "gateway.drain.period=1s");
        open.add(b);
        awaitState(a, b, "ready");
        String body = ClusterTable.raw(a.port());
        assertThat(body).startsWith("{\"self\":\"" + a.nodeId() + "\",\"members\":[{\"node\":\"" + a.nodeId()
                + "\",\"sessions\":0,\"state\":\"ready\",\"lastSeenMs\":0},{\"node\":\"" + b.nodeId() + "\",");
        assertThat(ClusterTable.of(a.port()).member(b.nodeId()).lastSeenMs()).isLessThanOrEqualTo(INTERVAL.toMillis() * 2);

        proxy.freeze(); // a silent partition: no goodbye, nothing closed
        long cut = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> ClusterTable.of(a.port()).member(b.nodeId()) == null);
        long goneMs = (System.nanoTime() - cut) / 1_000_000;

        System.out.printf("a node cut off left the table after %d ms (interval %d ms)%n", goneMs, INTERVAL.toMillis());
        assertThat(goneMs).as("gone within three intervals of its last announcement")
                .isLessThanOrEqualTo(3 * INTERVAL.toMillis() + 250);
        assertThat(goneMs).as("not before: it was heard from less than an interval before the cut")
                .isGreaterThanOrEqualTo(2 * INTERVAL.toMillis());
        proxy.thaw();
    }

    @Test
    void inLocalModeTheNodeIsAloneAndNeverSheds() throws Exception {
        GatewayNode node = GatewayNode.startLocal("gateway.node-id=alone-node");
        open.add(node);
        connect(node, 3);

        await().atMost(Duration.ofSeconds(10)).until(() -> ClusterTable.raw(node.port()).equals(
                "{\"self\":\"alone-node\",\"members\":[{\"node\":\"alone-node\",\"sessions\":3,\"state\":\"ready\","
                        + "\"lastSeenMs\":0}]}"));
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + node.port() + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("stomp_rebalance_closes_total{node=\"alone-node\"} 0.0")
                .contains("stomp_cluster_members{node=\"alone-node\"} 1.0");
    }
}
