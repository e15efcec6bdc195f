package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.stompgate.broker.MessageBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.TcpProxy;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The node queue's life (docs/protocol.md §5.2): how it is declared, who may own it,
 * what happens to one left behind, to bindings released while the broker was away,
 * and to the queue when the node drains or is killed.
 */
@NeedsRabbitMQ
class NodeQueueLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String nodeId() {
        return "life-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode queue(String name) throws Exception {
        return JSON.readTree(Rabbit.management(Rabbit.queuePath(name)));
    }

    @Test
    void theNodeQueueIsDurableSharedByNameAndBoundedInTimeAndSize() throws Exception {
        String id = nodeId();
        try (GatewayNode node = GatewayNode.startRabbit("gateway.node-id=" + id,
                "gateway.rabbitmq.node-queue.expires=30s", "gateway.rabbitmq.node-queue.max-bytes=1MB")) {
            JsonNode q = queue("stomp.node." + id);

            assertThat(q.path("durable").asBoolean()).isTrue();
            assertThat(q.path("exclusive").asBoolean()).isFalse();
            assertThat(q.path("auto_delete").asBoolean()).isFalse();
            assertThat(q.path("type").asText()).isEqualTo("classic");
            JsonNode args = q.path("arguments");
            assertThat(args.path("x-expires").asLong()).isEqualTo(30_000);
            assertThat(args.path("x-max-length-bytes").asLong()).isEqualTo(1024 * 1024);
            assertThat(args.path("x-overflow").asText()).isEqualTo("drop-head");
            assertThat(q.path("exclusive_consumer_tag").isNull()).as("an exclusive consumer holds it").isFalse();
            assertThat(node.isRunning()).isTrue();
        }
    }

    @Test
    void aQuorumNodeQueueIsAQuorumQueue() throws Exception {
        String id = nodeId();
        try (GatewayNode node = GatewayNode.startRabbit("gateway.node-id=" + id,
                "gateway.rabbitmq.node-queue.type=quorum")) {
            JsonNode q = queue("stomp.node." + id);

            assertThat(q.path("type").asText()).isEqualTo("quorum");
            assertThat(q.path("arguments").path("x-expires").asLong()).isEqualTo(60_000);
            assertThat(node.isRunning()).isTrue();
        }
    }

    @Test
    void aSecondProcessWithTheSameNodeIdFailsStartUpNamingThePropertyAndTheFirstKeepsWorking() {
        String id = nodeId();
        try (GatewayNode first = GatewayNode.startRabbit("gateway.node-id=" + id)) {
            assertThatThrownBy(() -> GatewayNode.startRabbit("gateway.node-id=" + id).close())
                    .satisfies(e -> assertThat(chain(e)).contains("gateway.node-id '" + id + "' is in use"));

            try (RawStompClient client = first.client("alice")) {
                client.connectStomp();
                client.subscribe("s", "/topic/still.working");
                client.sendText("SEND\ndestination:/topic/still.working\n\nyes\0");
                assertThat(RawStompClient.text(client.expectMessage())).isEqualTo("yes");
            }
        }
    }

    @Test
    void aBadNodeQueueSettingStopsStartUpNamingTheProperty() {
        assertThatThrownBy(() -> GatewayNode.startRabbit("gateway.rabbitmq.node-queue.type=mirrored").close())
                .satisfies(e -> assertThat(chain(e)).contains("gateway.rabbitmq.node-queue.type must be classic or quorum"));
        assertThatThrownBy(() -> GatewayNode.startRabbit("gateway.rabbitmq.node-queue.expires=100ms").close())
                .satisfies(e -> assertThat(chain(e)).contains("gateway.rabbitmq.node-queue.expires"));
        assertThatThrownBy(() -> GatewayNode.startRabbit("gateway.rabbitmq.node-queue.max-bytes=0B").close())
                .satisfies(e -> assertThat(chain(e)).contains("gateway.rabbitmq.node-queue.max-bytes"));
    }

    @Test
    void aQueueLeftByAnEarlierProcessWithThisIdIsReplacedWithItsBindingsAndMessages() throws Exception {
        String id = nodeId();
        String name = "stomp.node." + id;
        try (Rabbit rabbit = Rabbit.connect(); Channel channel = rabbit.channel()) {
            channel.exchangeDeclare("stomp.topic", "topic", true);
            channel.queueDeclare(name, true, false, false, Map.of("x-expires", 120_000)); // other arguments
            channel.queueBind(name, "stomp.topic", "left.behind");
            channel.basicPublish("", name, new AMQP.BasicProperties(), "stale".getBytes());
        }
        try (GatewayNode node = GatewayNode.startRabbit("gateway.node-id=" + id)) {
            JsonNode q = queue(name);

            assertThat(q.path("arguments").path("x-expires").asLong()).isEqualTo(60_000);
            assertThat(Rabbit.topicBindings(name, "left.behind")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> queue(name).path("messages").asLong() == 0);
            assertThat(node.isRunning()).isTrue();
        }
    }

    @Test
    void aDrainedNodeDeletesItsQueue() {
        String id = nodeId();
        GatewayNode node = GatewayNode.startRabbit("gateway.node-id=" + id);
        assertThat(Rabbit.queueExists("stomp.node." + id)).isTrue();

        node.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> !Rabbit.queueExists("stomp.node." + id));
    }

    @Test
    void aKilledNodesQueueStaysForExpiresThenGoes() throws Exception {
        String id = nodeId();
        try (TcpProxy proxy = TcpProxy.toRabbit()) {
            GatewayNode node = GatewayNode.startRabbitThrough(proxy, "gateway.node-id=" + id,
                    "gateway.rabbitmq.node-queue.expires=3s");
            proxy.cut(); // the node can no longer say goodbye: to RabbitMQ it is as good as killed
            node.close();
            long goneAt = System.nanoTime();

            assertThat(Rabbit.queueExists("stomp.node." + id)).as("kept while the node may come back").isTrue();
            await().atMost(Duration.ofSeconds(15)).until(() -> !Rabbit.queueExists("stomp.node." + id));
            System.out.printf("NODE-QUEUE-EXPIRY expires=3s gone-after=%dms%n", (System.nanoTime() - goneAt) / 1_000_000);
        }
    }

    @Test
    void bindingsReleasedDuringAnOutageAreRemovedOnReconnectAndTheOthersKept() throws Exception {
        String id = nodeId();
        String name = "stomp.node." + id;
        String key = "rec" + UUID.randomUUID().toString().substring(0, 6);
        try (TcpProxy proxy = TcpProxy.toRabbit();
                GatewayNode node = GatewayNode.startRabbitThrough(proxy, "gateway.node-id=" + id,
                        "gateway.broker.operation-timeout=1s");
                RawStompClient keeper = node.client("keeper");
                RawStompClient leaver = node.client("leaver")) {
            keeper.connectStomp();
            leaver.connectStomp();
            keeper.subscribe("k", "/topic/" + key + ".kept");
            leaver.subscribe("l", "/topic/" + key + ".released");
            MessageBroker broker = node.bean(MessageBroker.class);

            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            leaver.sendText("UNSUBSCRIBE\nid:l\n\n\0");
            Thread.sleep(1500); // past the operation timeout: the unbind never reached the broker
            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).until(broker::isUp);

            await().atMost(Duration.ofSeconds(10)).until(() ->
                    Rabbit.topicBindings(name, key + ".released") == 0);
            assertThat(Rabbit.topicBindings(name, key + ".kept")).isEqualTo(1);
            keeper.sendText("SEND\ndestination:/topic/" + key + ".kept\n\nafter\0");
            assertThat(RawStompClient.text(keeper.expect(StompCommand.MESSAGE))).isEqualTo("after");
        }
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" <- ");
        }
        return sb.toString();
    }
}
