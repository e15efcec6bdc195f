package io.stompgate.wire.cluster;

import static io.stompgate.testing.ErrorAssertions.assertErrorThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.presence.ClusterPresence;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.Frames;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence across two nodes on the tests' real RabbitMQ (docs/protocol.md §9): the snapshot, joins
 * and leaves of users on either node, one join and one leave per user however many sessions it
 * has, the users of a node that vanished, authorization, and topics outside presence left alone.
 * The digest interval is short here (300 ms), so a silent node is gone within about a second.
 */
@NeedsRabbitMQ
class PresenceTest {

    static final String API_KEY = "presence-test-key-0123456789";
    private static final String[] PRESENCE = {
            "gateway.presence.destinations=/topic/room.#",
            "gateway.presence.digest-interval=300ms",
            "gateway.authz.rules[0].destination=/topic/room.secret.#",
            "gateway.authz.rules[0].subscribe=deny",
            "gateway.api.key=" + PresenceTest.API_KEY};
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration AGREE = Duration.ofSeconds(2);

    static GatewayNode nodeA;
    static GatewayNode nodeB;
    private final List<RawStompClient> clients = new ArrayList<>();

    @BeforeAll
    static void startNodes() {
        nodeA = GatewayNode.startRabbit(PRESENCE);
        nodeB = GatewayNode.startRabbit(PRESENCE);
    }

    @AfterAll
    static void stopNodes() {
        nodeA.close();
        nodeB.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(RawStompClient::close);
    }

    private RawStompClient connect(GatewayNode node, String user) {
        RawStompClient client = node.client(user);
        clients.add(client);
        assertThat(client.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
        return client;
    }

    private static String room() {
        return "room." + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Subscribes {@code watcher} to {@code /presence/<key>} and returns the snapshot it gets first. */
    private static StompFrame watch(RawStompClient watcher, String key) {
        watcher.subscribe("p-" + key, "/presence/" + key);
        StompFrame snapshot = watcher.expectMessage();
        assertPresence(snapshot, "snapshot", key);
        return snapshot;
    }

    private static StompFrame nextPresence(RawStompClient watcher, String kind, String key) {
        StompFrame f = watcher.expect(m -> m.command() == StompCommand.MESSAGE, AGREE);
        assertPresence(f, kind, key);
        return f;
    }

    private static void assertPresence(StompFrame f, String kind, String key) {
        String shown = RawStompClient.describe(f);
        assertThat(f.command()).as(shown).isEqualTo(StompCommand.MESSAGE);
        assertThat(f.header("x-presence")).as(shown).isEqualTo(kind);
        assertThat(f.header("destination")).as(shown).isEqualTo("/presence/" + key);
        assertThat(f.header("content-type")).as(shown).isEqualTo("application/json");
    }

    private static String event(String key, String user) {
        return "{\"destination\":\"/topic/" + key + "\",\"user\":\"" + user + "\"}";
    }

    private static String snapshot(String key, String usersJson) {
        return "{\"destination\":\"/topic/" + key + "\",\"users\":[" + usersJson + "]}";
    }

    private static Map<String, Integer> users(GatewayNode node, String key) {
        return node.bean(ClusterPresence.class).users(key);
    }

    @Test
    void watchersOnEitherNodeSeeTheSnapshotThenJoinsAndLeavesFromBothNodes() {
        String key = room();
        RawStompClient watcherB = connect(nodeB, "watcher");
        assertThat(RawStompClient.text(watch(watcherB, key))).isEqualTo(snapshot(key, ""));

        RawStompClient alice = connect(nodeA, "alice");
        alice.subscribe("t", "/topic/" + key);
        assertThat(RawStompClient.text(nextPresence(watcherB, "join", key))).isEqualTo(event(key, "alice"));

        RawStompClient bob = connect(nodeB, "bob");
        bob.subscribe("t", "/topic/" + key);
        assertThat(RawStompClient.text(nextPresence(watcherB, "join", key))).isEqualTo(event(key, "bob"));

        await().atMost(AGREE).until(() -> users(nodeA, key).equals(Map.of("alice", 1, "bob", 1)));
        RawStompClient watcherA = connect(nodeA, "watcher");
        assertThat(RawStompClient.text(watch(watcherA, key))).isEqualTo(
                snapshot(key, "{\"user\":\"alice\",\"sessions\":1},{\"user\":\"bob\",\"sessions\":1}"));

        alice.sendAndAwaitReceipt(Frames.frame("UNSUBSCRIBE", "id", "t", "receipt", "u"), "u");
        assertThat(RawStompClient.text(nextPresence(watcherA, "leave", key))).isEqualTo(event(key, "alice"));
        assertThat(RawStompClient.text(nextPresence(watcherB, "leave", key))).isEqualTo(event(key, "alice"));

        bob.disconnect();
        assertThat(RawStompClient.text(nextPresence(watcherA, "leave", key))).isEqualTo(event(key, "bob"));
        assertThat(RawStompClient.text(nextPresence(watcherB, "leave", key))).isEqualTo(event(key, "bob"));
        await().atMost(AGREE).until(() -> users(nodeA, key).isEmpty() && users(nodeB, key).isEmpty());
    }

    @Test
    void twoSessionsOfOneUserOnTwoNodesMakeOneJoinAndOneLeave() {
        String key = room();
        RawStompClient watcher = connect(nodeA, "watcher");
        watch(watcher, key);

        RawStompClient first = connect(nodeA, "carol");
        first.subscribe("t", "/topic/" + key);
        assertThat(RawStompClient.text(nextPresence(watcher, "join", key))).isEqualTo(event(key, "carol"));
        RawStompClient second = connect(nodeB, "carol");
        second.subscribe("t", "/topic/" + key);
        await().atMost(AGREE).until(() -> users(nodeA, key).equals(Map.of("carol", 2))
                && users(nodeB, key).equals(Map.of("carol", 2)));
        RawStompClient late = connect(nodeB, "late");
        assertThat(RawStompClient.text(watch(late, key))).isEqualTo(
                snapshot(key, "{\"user\":\"carol\",\"sessions\":2}"));

        first.disconnect();
        await().atMost(AGREE).until(() -> users(nodeA, key).equals(Map.of("carol", 1)));
        second.disconnect();
        assertThat(RawStompClient.text(nextPresence(watcher, "leave", key))).isEqualTo(event(key, "carol"));
        assertThat(RawStompClient.text(nextPresence(late, "leave", key))).isEqualTo(event(key, "carol"));
        assertThat(watcher.next(Duration.ofSeconds(1))).as("nothing after the one leave").isNull();
        assertThat(late.next(Duration.ofMillis(100))).as("nothing after the one leave").isNull();
    }

    @Test
    void theUsersOfANodeThatVanishedLeaveOnceItsDigestsStop() throws Exception {
        String key = room();
        RawStompClient watcher = connect(nodeA, "watcher");
        watch(watcher, key);
        try (TcpProxy proxy = TcpProxy.toRabbit()) {
            GatewayNode victim = GatewayNode.startRabbitThrough(proxy, PRESENCE);
            try {
                RawStompClient dave = connect(victim, "dave");
                dave.subscribe("t", "/topic/" + key);
                assertThat(RawStompClient.text(nextPresence(watcher, "join", key))).isEqualTo(event(key, "dave"));

                proxy.cut(); // the node cannot say goodbye: no leave delta, no bye
                long cutAt = System.nanoTime();
                CompletableFuture<Void> closing = CompletableFuture.runAsync(victim::close);
                StompFrame leave = watcher.expect(m -> m.command() == StompCommand.MESSAGE, Duration.ofSeconds(5));
                long afterMs = (System.nanoTime() - cutAt) / 1_000_000;
                assertPresence(leave, "leave", key);
                assertThat(RawStompClient.text(leave)).isEqualTo(event(key, "dave"));
                assertThat(afterMs).as("leave within about 3 digest intervals of 300 ms").isLessThan(3000);
                await().atMost(AGREE).until(() -> users(nodeB, key).isEmpty());
                closing.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            finally {
                victim.close();
            }
        }
    }

    private static HttpResponse<String> get(GatewayNode node, String query, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/api/presence" + query)).GET();
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiAnswersTheSnapshotOfEitherNodesUsersWithTheKey() throws Exception {
        String key = room();
        RawStompClient heidi = connect(nodeA, "heidi");
        heidi.subscribe("t", "/topic/" + key);
        await().atMost(AGREE).until(() -> users(nodeB, key).equals(Map.of("heidi", 1)));

        HttpResponse<String> ok = get(nodeB, "?destination=/topic/" + key, API_KEY);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(ok.body()).isEqualTo(snapshot(key, "{\"user\":\"heidi\",\"sessions\":1}"));

        assertThat(get(nodeB, "?destination=/topic/" + key, null).statusCode()).isEqualTo(401);
        assertThat(get(nodeB, "?destination=/topic/" + key, API_KEY + "x").statusCode()).isEqualTo(401);
        HttpResponse<String> wildcard = get(nodeB, "?destination=/topic/room.%23", API_KEY);
        assertThat(wildcard.statusCode()).isEqualTo(400);
        assertThat(wildcard.body()).contains("\"error\"", "concrete");
        assertThat(get(nodeB, "?destination=/topic/news.today", API_KEY).statusCode()).isEqualTo(400);
        assertThat(get(nodeB, "", API_KEY).statusCode()).isEqualTo(400);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeB.port()
                + "/api/presence?destination=/topic/" + key)).header("X-API-Key", API_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void aUserWhoMayNotSubscribeToTheTopicMayNotWatchIt() {
        RawStompClient eve = connect(nodeA, "eve");
        eve.sendText(Frames.frame("SUBSCRIBE", "id", "p", "destination", "/presence/room.secret.plans"));
        assertErrorThenClose(eve, "not allowed to subscribe", "/presence/room.secret.plans");
    }

    @Test
    void onlyConcreteKeysUnderPresenceCanBeWatched() {
        RawStompClient outside = connect(nodeA, "frank");
        outside.sendText(Frames.frame("SUBSCRIBE", "id", "p", "destination", "/presence/news.today"));
        assertErrorThenClose(outside, "/topic/news.today", "not under presence");

        RawStompClient wildcard = connect(nodeA, "frank");
        wildcard.sendText(Frames.frame("SUBSCRIBE", "id", "p", "destination", "/presence/room.*"));
        assertErrorThenClose(wildcard, "concrete");
    }

    @Test
    void topicsOutsidePresenceAndTopicMessagesAreUnaffected() {
        String news = "news." + UUID.randomUUID().toString().substring(0, 8);
        String key = room();
        RawStompClient watcher = connect(nodeB, "watcher");
        watch(watcher, key);
        RawStompClient grace = connect(nodeA, "grace");
        grace.subscribe("n", "/topic/" + news);
        grace.subscribe("r", "/topic/" + key);
        assertThat(RawStompClient.text(nextPresence(watcher, "join", key))).isEqualTo(event(key, "grace"));

        RawStompClient sender = connect(nodeB, "sender");
        sender.sendAndAwaitReceipt(Frames.frame("SEND", "destination", "/topic/" + news, "receipt", "s1") + "", "s1");
        StompFrame m = grace.expectMessage();
        assertThat(m.header("destination")).isEqualTo("/topic/" + news);
        assertThat(m.header("x-presence")).isNull();
        assertThat(users(nodeA, news)).isEmpty();
        assertThat(users(nodeB, news)).isEmpty();

        sender.sendAndAwaitReceipt(Frames.frame("SEND", "destination", "/topic/" + key, "receipt", "s2"), "s2");
        StompFrame roomMessage = grace.expectMessage();
        assertThat(roomMessage.header("destination")).isEqualTo("/topic/" + key);
        assertThat(roomMessage.header("x-presence")).isNull();
        assertThat(watcher.next(Duration.ofMillis(800))).as("a message to the topic is no presence event").isNull();
    }
}
