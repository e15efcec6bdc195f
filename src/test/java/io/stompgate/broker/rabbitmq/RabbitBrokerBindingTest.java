package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.Publication;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.TcpProxy;
import io.stompgate.testing.TestRabbit;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Topic binds go out without waiting for each bind-ok and are confirmed a batch at a time
 * (RabbitBroker.TopicBindOp): each still completes only once it is in place, in call order; a
 * refused one fails alone; binds unconfirmed when the connection drops are bound after the reconnect;
 * an operation asked for after a bind runs after it.
 */
@NeedsRabbitMQ
class RabbitBrokerBindingTest {

    private final Set<String> delivered = ConcurrentHashMap.newKeySet();

    private final DeliveryListener listener = new DeliveryListener() {
        @Override
        public void onTopicMessage(String key, BrokerMessage message) {
            delivered.add(key);
        }

        @Override
        public void onUserMessage(String user, String queue, BrokerMessage message) {
        }
    };

    private static RabbitBroker broker(String host, int port, String username, String password, String nodeId,
            Duration opTimeout) {
        TestRabbit rabbit = TestRabbit.get();
        return new RabbitBroker(RabbitBrokerOptions.defaults(List.of(new RabbitBrokerOptions.Endpoint(host, port)),
                username, password, rabbit.virtualHost(), nodeId).withOperationTimeout(opTimeout));
    }

    private static String nodeId() {
        return "bind-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Publication topic(String key) {
        return new Publication(new Address.Topic(key), new BrokerMessage(null, "x".getBytes(StandardCharsets.UTF_8)),
                "u", "s");
    }

    /** Many binds at once (several batches): each completes in call order, and is bound when it completes. */
    @Test
    void manyBindsAtOnceCompleteInOrderEachOnlyOnceInPlace() {
        String node = nodeId();
        TestRabbit rabbit = TestRabbit.get();
        RabbitBroker broker = broker(rabbit.host(), rabbit.port(), rabbit.username(), rabbit.password(), node,
                Duration.ofSeconds(20));
        String root = "bind" + UUID.randomUUID().toString().substring(0, 8);
        int n = RabbitBroker.MAX_PENDING_BINDS * 2 + 37;
        List<Integer> completed = new CopyOnWriteArrayList<>();
        try {
            broker.start(listener).block(Duration.ofSeconds(10));
            List<Mono<Void>> binds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                // The moment a bind completes, a message to its room is published: it must be routed to the node.
                binds.add(broker.bindTopic(root + "." + k + ".*")
                        .then(Mono.fromRunnable(() -> completed.add(k)))
                        .then(broker.publish(topic(root + "." + k + ".x"))).cache());
                binds.get(k).subscribe(null, e -> { });
            }
            Mono.when(binds).block(Duration.ofSeconds(30));

            assertThat(completed).as("binds complete in the order they were asked for")
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).boxed().toList());
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == n);
            assertThat(broker.boundPatternsSnapshot()).hasSize(n);
            assertThat(Rabbit.topicBindings("stomp.node." + node, root + "." + (n - 1) + ".*")).isEqualTo(1);
            assertThat(broker.reconnectCount()).isZero();
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
        }
    }

    /** An unbind asked for right after its bind (not waiting for it) runs after it: nothing stays bound. */
    @Test
    void anUnbindRightAfterItsBindLeavesNothingBound() {
        String node = nodeId();
        TestRabbit rabbit = TestRabbit.get();
        RabbitBroker broker = broker(rabbit.host(), rabbit.port(), rabbit.username(), rabbit.password(), node,
                Duration.ofSeconds(10));
        String root = "unb" + UUID.randomUUID().toString().substring(0, 8);
        try {
            broker.start(listener).block(Duration.ofSeconds(10));
            List<Mono<Void>> ops = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ops.add(broker.bindTopic(root + "." + i).cache());
                ops.get(ops.size() - 1).subscribe(null, e -> { });
            }
            Mono<Void> unbind = broker.unbindTopic(root + ".7").cache();
            unbind.subscribe(null, e -> { });
            Mono<Void> rebind = broker.bindTopic(root + ".8").cache(); // already bound: a no-op at the broker
            rebind.subscribe(null, e -> { });
            Mono.when(ops).then(unbind).then(rebind).block(Duration.ofSeconds(10));

            assertThat(Rabbit.topicBindings("stomp.node." + node, root + ".7")).isZero();
            assertThat(Rabbit.topicBindings("stomp.node." + node, root + ".8")).isEqualTo(1);
            assertThat(broker.boundPatternsSnapshot()).hasSize(19).doesNotContain(root + ".7");
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
        }
    }

    /** Binds sent but unconfirmed when the connection drops are bound after the reconnect, and then complete. */
    @Test
    void bindsInFlightWhenTheConnectionDropsAreBoundAfterTheReconnect() throws Exception {
        String node = nodeId();
        TestRabbit rabbit = TestRabbit.get();
        TcpProxy proxy = TcpProxy.toRabbit();
        RabbitBroker broker = broker(proxy.host(), proxy.port(), rabbit.username(), rabbit.password(), node,
                Duration.ofSeconds(15));
        String root = "cut" + UUID.randomUUID().toString().substring(0, 8);
        int n = 600;
        try {
            broker.start(listener).block(Duration.ofSeconds(10));
            List<Mono<Void>> binds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                binds.add(broker.bindTopic(root + "." + i).cache());
                binds.get(i).subscribe(null, e -> { });
                if (i == n / 3) {
                    proxy.cut(); // some sent, some confirmed, the rest still to go
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            proxy.restore();
            Mono.when(binds).block(Duration.ofSeconds(30));

            assertThat(broker.reconnectCount()).isPositive();
            assertThat(broker.boundPatternsSnapshot()).hasSize(n);
            for (int i : new int[] {0, n / 3, n / 3 + 1, n - 1}) {
                assertThat(Rabbit.topicBindings("stomp.node." + node, root + "." + i)).as("binding %d", i).isEqualTo(1);
            }
            broker.publish(topic(root + "." + (n - 1))).block(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains(root + "." + (n - 1)));
        }
        finally {
            broker.stop().block(Duration.ofSeconds(10));
            proxy.close();
        }
    }

    /**
     * A bind the broker refuses in the middle of a batch (topic authorisation: this user may read only
     * {@code ok.*} keys) fails alone, as a refusal; the binds around it complete and are in place.
     */
    @Test
    void aRefusedBindInABatchFailsAloneAndTheOthersAreBound() throws Exception {
        TestRabbit rabbit = TestRabbit.get();
        String user = "stompgate-bindtest-" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        String vhost = rabbit.virtualHostInPath();
        String u = URLEncoder.encode(user, StandardCharsets.UTF_8);
        put("/users/" + u, "{\"password\":\"" + password + "\",\"tags\":\"\"}");
        String node = nodeId();
        RabbitBroker broker = null;
        try {
            put("/permissions/" + vhost + "/" + u, "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            put("/topic-permissions/" + vhost + "/" + u,
                    "{\"exchange\":\"stomp.topic\",\"write\":\".*\",\"read\":\"^ok\\\\..*\"}");
            broker = broker(rabbit.host(), rabbit.port(), user, password, node, Duration.ofSeconds(10));
            broker.start(listener).block(Duration.ofSeconds(10));
            String root = UUID.randomUUID().toString().substring(0, 8);
            List<Mono<Void>> binds = new ArrayList<>();
            List<String> patterns = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String p = (i == 12 || i == 20 ? "no." : "ok.") + root + "." + i;
                patterns.add(p);
                binds.add(broker.bindTopic(p).cache());
                binds.get(i).subscribe(null, e -> { });
            }
            for (int i = 0; i < 30; i++) {
                Mono<Void> b = binds.get(i);
                if (i == 12 || i == 20) {
                    assertThatThrownBy(() -> b.block(Duration.ofSeconds(10)))
                            .isInstanceOf(BrokerException.class).hasMessageContaining("refused");
                }
                else {
                    b.block(Duration.ofSeconds(10));
                    assertThat(Rabbit.topicBindings("stomp.node." + node, patterns.get(i))).as(patterns.get(i)).isEqualTo(1);
                }
            }
            assertThat(broker.boundPatternsSnapshot()).hasSize(28);
            // the node carries on: a later bind and publish work, without a reconnect
            broker.bindTopic("ok." + root + ".later").block(Duration.ofSeconds(5));
            broker.publish(topic("ok." + root + ".later")).block(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains("ok." + root + ".later"));
            assertThat(broker.reconnectCount()).isZero();
        }
        finally {
            if (broker != null) {
                broker.stop().block(Duration.ofSeconds(10));
            }
            delete("/users/" + u);
        }
    }

    private static void put(String path, String json) throws Exception {
        send(HttpRequest.newBuilder(URI.create(TestRabbit.get().managementApi() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).header("content-type", "application/json"));
    }

    private static void delete(String path) throws Exception {
        send(HttpRequest.newBuilder(URI.create(TestRabbit.get().managementApi() + path)).DELETE());
    }

    private static void send(HttpRequest.Builder request) throws Exception {
        TestRabbit rabbit = TestRabbit.get();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (rabbit.username() + ":" + rabbit.password()).getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("management API %s", response.uri()).isBetween(200, 299);
    }
}
