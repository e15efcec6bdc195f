package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * History and resume over the wire (docs/protocol.md §7), on whichever broker a
 * subclass starts its nodes with: a client subscribes with {@code x-stream-offset}
 * and gets the retained messages that match, in order, then live messages, with no
 * gap and no duplicate; the RECEIPT comes first and says whether all was retained.
 */
abstract class HistoryResumeSuite {

    protected final String room = "room" + UUID.randomUUID().toString().substring(0, 6);
    protected final List<AutoCloseable> open = new ArrayList<>();

    /** Starts a node whose topics {@code /topic/<room>.#} keep a history, with {@code more} properties. */
    protected abstract GatewayNode start(List<String> properties);

    /** Removes what the nodes left in the broker. */
    protected void cleanUp() {
    }

    protected GatewayNode node(String... more) {
        List<String> properties = new ArrayList<>(List.of("gateway.history.destinations=/topic/" + room + ".#",
                "gateway.drain.period=1s"));
        properties.addAll(List.of(more));
        GatewayNode node = start(properties);
        open.add(node);
        return node;
    }

    protected RawStompClient client(GatewayNode node, String user) {
        RawStompClient client = node.client(user);
        open.add(client);
        client.connectStomp();
        return client;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        cleanUp();
    }

    /** Subscribes with {@code x-stream-offset: start} and returns the RECEIPT. */
    protected static StompFrame subscribeFrom(RawStompClient client, String destination, String start) {
        client.sendText("SUBSCRIBE\nid:h\ndestination:" + destination + "\nx-stream-offset:" + start
                + "\nreceipt:from\n\n\0");
        return client.expect(StompCommand.RECEIPT);
    }

    /** A publisher on {@code node} sending {@code p<n>} to the room's topic until stopped. */
    protected static final class Publisher implements AutoCloseable {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Publisher(RawStompClient client, String topic, long pauseMillis) {
            thread = new Thread(() -> {
                while (running.get()) {
                    int n = sent.get();
                    client.sendAndAwaitReceipt("SEND\ndestination:" + topic + "\nreceipt:p" + n + "\n\np" + n + "\0",
                            "p" + n);
                    sent.incrementAndGet();
                    try {
                        Thread.sleep(pauseMillis);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                }
            }, "history-publisher");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    /** Reads MESSAGE frames until {@code body} arrived; returns the bodies and offsets, in order. */
    protected static List<StompFrame> readUntil(RawStompClient client, String body) {
        List<StompFrame> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            StompFrame f = client.next(Duration.ofMillis(200));
            if (f != null && f.command() == StompCommand.MESSAGE) {
                got.add(f);
                if (body.equals(RawStompClient.text(f))) {
                    return got;
                }
            }
        }
        throw new AssertionError("'" + body + "' did not arrive; got " + got.size() + " messages");
    }

    protected static List<Integer> numbers(List<StompFrame> frames) {
        return frames.stream().map(f -> Integer.parseInt(RawStompClient.text(f).substring(1))).toList();
    }

    @Test
    void aWildcardSubscriptionResumesAcrossItsTopics() {
        GatewayNode node1 = node();
        RawStompClient sender = client(node1, "sender");
        for (String key : List.of("w.a", "w.b", "w.a", "other.x")) {
            sender.sendAndAwaitReceipt("SEND\ndestination:/topic/" + room + "." + key + "\nreceipt:r\n\n" + key + "\0", "r");
        }
        RawStompClient reader = client(node1, "reader");
        subscribeFrom(reader, "/topic/" + room + ".w.*", "first");
        sender.sendAndAwaitReceipt("SEND\ndestination:/topic/" + room + ".w.b\nreceipt:r\n\nlive\0", "r");
        List<StompFrame> got = readUntil(reader, "live");

        assertThat(got).extracting(RawStompClient::text).containsExactly("w.a", "w.b", "w.a", "live");
        assertThat(got.get(1).header("destination")).isEqualTo("/topic/" + room + ".w.b");
    }

    @Test
    void lastGivesTheNewestMessageOfEachDestination() {
        GatewayNode node1 = node();
        RawStompClient sender = client(node1, "sender");
        for (String m : List.of("eu:1", "us:1", "eu:2", "us:2", "eu:3")) {
            String key = m.substring(0, 2);
            sender.sendAndAwaitReceipt("SEND\ndestination:/topic/" + room + ".price." + key + "\nreceipt:r\n\n" + m + "\0", "r");
        }
        RawStompClient reader = client(node1, "reader");
        subscribeFrom(reader, "/topic/" + room + ".price.*", "last");
        sender.sendAndAwaitReceipt("SEND\ndestination:/topic/" + room + ".price.eu\nreceipt:r\n\neu:4\0", "r");
        List<StompFrame> got = readUntil(reader, "eu:4");

        assertThat(got).extracting(RawStompClient::text).containsExactly("us:2", "eu:3", "eu:4");
    }

    @Test
    void aStartOlderThanRetentionIsNotRecovered() {
        GatewayNode node1 = node("gateway.history.max-bytes=300KB");
        String topic = "/topic/" + room + ".big";
        RawStompClient sender = client(node1, "sender");
        String body = "x".repeat(4000);
        for (int i = 0; i < 400; i++) { // 1.6 MB: the oldest segments go
            sender.sendText("SEND\ndestination:" + topic + (i % 50 == 0 ? "\nreceipt:r" + i : "") + "\n\n" + body + "\0");
            if (i % 50 == 0) {
                sender.awaitReceipt("r" + i);
            }
        }
        sender.sendAndAwaitReceipt("SEND\ndestination:" + topic + "\nreceipt:end\n\nend\0", "end");

        RawStompClient reader = client(node1, "reader");
        StompFrame receipt = subscribeFrom(reader, topic, "offset=0");
        List<StompFrame> got = readUntil(reader, "end");

        assertThat(receipt.header("x-stream-recovered")).isEqualTo("false");
        assertThat(got.size()).isLessThan(401);
    }

    @Test
    void aTimestampStartWithinRetentionIsRecovered() throws InterruptedException {
        GatewayNode node1 = node();
        String topic = "/topic/" + room + ".ts";
        RawStompClient sender = client(node1, "sender");
        sender.sendAndAwaitReceipt("SEND\ndestination:" + topic + "\nreceipt:r\n\nold\0", "r");
        Thread.sleep(2100);
        long since = System.currentTimeMillis() / 1000;
        Thread.sleep(1100);
        sender.sendAndAwaitReceipt("SEND\ndestination:" + topic + "\nreceipt:r\n\nnew\0", "r");

        RawStompClient reader = client(node1, "reader");
        StompFrame receipt = subscribeFrom(reader, topic, "timestamp=" + since);
        List<StompFrame> got = readUntil(reader, "new");

        assertThat(receipt.header("x-stream-recovered")).isEqualTo("true");
        assertThat(got).extracting(RawStompClient::text).containsExactly("new");
    }

    @Test
    void aResumeOnATopicWithoutHistoryIsAnErrorNamingIt() {
        GatewayNode node1 = node();
        RawStompClient client = client(node1, "c");

        client.sendText("SUBSCRIBE\nid:h\ndestination:/topic/nohistory.x\nx-stream-offset:first\n\n\0");
        StompFrame error = client.expect(StompCommand.ERROR);

        assertThat(error.header("message")).contains("/topic/nohistory.x").contains("keeps no history");
    }

    @Test
    void aReplayObeysTheSameAuthorizationAsTheLiveSubscription() {
        GatewayNode node1 = node("gateway.authz.rules[0].destination=/topic/" + room + ".secret.#",
                "gateway.authz.rules[0].subscribe=deny");
        RawStompClient client = client(node1, "c");

        client.sendText("SUBSCRIBE\nid:h\ndestination:/topic/" + room + ".secret.x\nx-stream-offset:first\n\n\0");
        StompFrame error = client.expect(StompCommand.ERROR);

        assertThat(error.header("message")).contains("not allowed to subscribe");
    }

    @Test
    void aClientThatDoesNotReadDuringItsReplayIsCutOffAndOthersKeepTheirPace() throws Exception {
        GatewayNode node1 = node("gateway.limits.outbound-frames=64");
        String topic = "/topic/" + room + ".flood";
        RawStompClient sender = client(node1, "sender");
        String body = "y".repeat(2000);
        for (int i = 0; i < 2000; i++) {
            sender.sendText("SEND\ndestination:" + topic + (i % 100 == 0 ? "\nreceipt:r" + i : "") + "\n\n" + body + "\0");
            if (i % 100 == 0) {
                sender.awaitReceipt("r" + i);
            }
        }
        RawStompClient normal = client(node1, "normal");
        normal.subscribe("n", topic);
        RawStompClient stalled = client(node1, "stalled");
        stalled.pause(); // reads nothing more
        stalled.sendText("SUBSCRIBE\nid:h\ndestination:" + topic + "\nx-stream-offset:first\n\n\0");

        try (Publisher publisher = new Publisher(client(node1, "live"), topic, 1)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> publisher.sent.get() >= 300);
            int target = publisher.sent.get();
            List<StompFrame> got = readUntil(normal, "p" + (target - 1));
            assertThat(numbers(got.stream().filter(f -> RawStompClient.text(f).startsWith("p")).toList()))
                    .as("the normal subscriber keeps up").contains(target - 1);
        }
        stalled.resume();
        StompFrame last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && stalled.isOpen()) {
            StompFrame f = stalled.next(Duration.ofMillis(200));
            if (f != null) {
                last = f;
            }
        }
        // Closed as a slow consumer; its ERROR may be lost with the backlog of a socket it did not read.
        assertThat(stalled.isOpen()).as("the stalled client's connection is closed").isFalse();
        assertThat(node1.bean(MeterRegistry.class).get("stomp.slow.consumer.disconnects").counter().count())
                .isGreaterThanOrEqualTo(1);
        if (last != null && last.command() == StompCommand.ERROR) {
            assertThat(last.header("message")).isEqualTo("slow consumer");
        }
    }

}
