package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
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
import org.junit.jupiter.api.Test;

/**
 * The history suite on RabbitMQ, plus what needs a cluster: resuming on another node,
 * one offset for one message on every node, backend messages in the history, and the
 * clients of a drained node resuming elsewhere. Every node of a test shares one
 * history stream of its own, deleted afterwards.
 */
@NeedsRabbitMQ
class HistoryResumeTest extends HistoryResumeSuite {

    private final String stream = "stomp.history.wire-" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    protected GatewayNode start(List<String> properties) {
        List<String> all = new ArrayList<>(properties);
        all.add("gateway.rabbitmq.history-stream=" + stream);
        return GatewayNode.startRabbit(all.toArray(String[]::new));
    }

    @Override
    protected void cleanUp() {
        try (Rabbit rabbit = Rabbit.connect()) {
            rabbit.deleteQueue(stream);
        }
    }

    @Test
    void aClientResumesOnTheOtherNodeWithExactlyWhatItMissedThenLiveMessages() throws Exception {
        GatewayNode node1 = node();
        GatewayNode node2 = node();
        String topic = "/topic/" + room + ".lobby";
        RawStompClient away = client(node1, "away");
        away.subscribe("s", topic);
        RawStompClient publisherClient = client(node2, "publisher");
        try (Publisher publisher = new Publisher(publisherClient, topic, 2)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> publisher.sent.get() >= 20);
            List<StompFrame> before = readUntil(away, "p10");
            long lastOffset = Long.parseLong(before.get(before.size() - 1).header("x-stream-offset"));
            away.close();
            int sentWhenAway = publisher.sent.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> publisher.sent.get() >= sentWhenAway + 300);

            RawStompClient back = client(node2, "away");
            StompFrame receipt = subscribeFrom(back, topic, "offset=" + (lastOffset + 1));
            int target = publisher.sent.get() + 20;
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.sent.get() >= target);
            List<StompFrame> after = readUntil(back, "p" + (target - 1));

            assertThat(receipt.header("x-stream-recovered")).isEqualTo("true");
            assertThat(numbers(before)).containsExactly(java.util.stream.IntStream.rangeClosed(0, 10).boxed()
                    .toArray(Integer[]::new));
            List<Integer> resumed = numbers(after);
            assertThat(resumed).as("what it missed then live ones, in order, no gap, no duplicate")
                    .containsExactly(java.util.stream.IntStream.range(11, target).boxed().toArray(Integer[]::new));
            List<Long> offsets = after.stream().map(f -> Long.parseLong(f.header("x-stream-offset"))).toList();
            assertThat(offsets).isSorted().doesNotHaveDuplicates();
            assertThat(offsets.get(0)).isEqualTo(lastOffset + 1);
        }
    }

    @Test
    void theSameMessageHasTheSameOffsetOnEveryNode() {
        GatewayNode node1 = node();
        GatewayNode node2 = node();
        String topic = "/topic/" + room + ".same";
        RawStompClient a = client(node1, "a");
        RawStompClient b = client(node2, "b");
        a.subscribe("s", topic);
        b.subscribe("s", topic);

        a.sendText("SEND\ndestination:" + topic + "\n\nhello\0");
        StompFrame onA = a.expect(StompCommand.MESSAGE);
        StompFrame onB = b.expect(StompCommand.MESSAGE);

        assertThat(onA.header("x-stream-offset")).isNotNull().isEqualTo(onB.header("x-stream-offset"));
    }

    @Test
    void firstReplaysEverythingRetainedIncludingWhatABackendPublishedStraightToTheExchange() {
        GatewayNode node1 = node();
        String topic = "/topic/" + room + ".mixed";
        RawStompClient sender = client(node1, "sender");
        sender.sendAndAwaitReceipt("SEND\ndestination:" + topic + "\nreceipt:r1\n\nfrom-stomp\0", "r1");
        try (Rabbit rabbit = Rabbit.connect()) {
            rabbit.publish("stomp.topic", room + ".mixed", new AMQP.BasicProperties.Builder()
                    .contentType("text/plain").build(), "from-backend");
        }
        sender.sendAndAwaitReceipt("SEND\ndestination:" + topic + "\nreceipt:r2\n\nafter\0", "r2");

        RawStompClient reader = client(node1, "reader");
        StompFrame receipt = subscribeFrom(reader, topic, "first");
        List<StompFrame> got = readUntil(reader, "after");

        assertThat(receipt.header("x-stream-recovered")).isEqualTo("true");
        assertThat(got).extracting(RawStompClient::text).containsExactly("from-stomp", "from-backend", "after");
        assertThat(got.get(1).header("content-type")).isEqualTo("text/plain");
    }

    @Test
    void clientsOfADrainedNodeResumeOnTheOtherNodeAndLoseNothing() throws Exception {
        GatewayNode node1 = start(List.of("gateway.history.destinations=/topic/" + room + ".#",
                "gateway.drain.period=1s"));
        GatewayNode node2 = node();
        String topic = "/topic/" + room + ".drain";
        RawStompClient client = node1.client("mover");
        client.connectStomp();
        client.subscribe("s", topic);
        try (Publisher publisher = new Publisher(client(node2, "publisher"), topic, 5)) {
            List<StompFrame> before = readUntil(client, "p20");
            long lastOffset = Long.parseLong(before.get(before.size() - 1).header("x-stream-offset"));
            node1.close(); // drains: the session gets ERROR server shutting down
            client.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> publisher.sent.get() >= 60);

            RawStompClient moved = client(node2, "mover");
            subscribeFrom(moved, topic, "offset=" + (lastOffset + 1));
            int target = publisher.sent.get() + 10;
            await().atMost(Duration.ofSeconds(20)).until(() -> publisher.sent.get() >= target);
            List<StompFrame> after = readUntil(moved, "p" + (target - 1));

            assertThat(numbers(after)).containsExactly(java.util.stream.IntStream.range(21, target).boxed()
                    .toArray(Integer[]::new));
        }
    }
}
