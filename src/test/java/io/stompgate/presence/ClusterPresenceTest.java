package io.stompgate.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.History;
import io.stompgate.broker.NodeMessage;
import io.stompgate.broker.local.LocalBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * How one node merges its own sessions with what other nodes report: deltas and digests,
 * stale and restarted senders, silent and departing nodes, and the cap on tracked pairs. Other
 * nodes' messages are handed in directly; the in-JVM broker takes this node's own.
 */
class ClusterPresenceTest {

    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private final AtomicLong nanos = new AtomicLong();
    private final List<String> events = new ArrayList<>();
    private ClusterPresence presence;

    @BeforeEach
    void start() {
        presence = presence(100);
    }

    private ClusterPresence presence(int maxEntries) {
        LocalBroker broker = new LocalBroker("self", History.none(), p -> Mono.empty(), 100);
        ClusterPresence p = new ClusterPresence(List.of("room.#"), broker, "self", INTERVAL, maxEntries, nanos::get);
        broker.start(new DeliveryListener() {
            @Override
            public void onTopicMessage(String key, BrokerMessage message) {
            }

            @Override
            public void onUserMessage(String user, String queue, BrokerMessage message) {
            }
        }).block();
        return p;
    }

    private void watch(String key) {
        presence.watch(key, m -> events.add(m.headers().get("x-presence") + " "
                + new String(m.body(), StandardCharsets.UTF_8)));
    }

    private void from(String node, PresenceUpdate update) {
        presence.onNodeMessage(new NodeMessage(ClusterPresence.KIND, node, update.encode()));
    }

    private static PresenceUpdate digest(long epoch, long seq, Map<String, Map<String, Integer>> entries) {
        return new PresenceUpdate(PresenceUpdate.Kind.DIGEST, epoch, seq, entries);
    }

    private static String join(String key, String user) {
        return "join " + PresenceJson.event(key, user);
    }

    private static String leave(String key, String user) {
        return "leave " + PresenceJson.event(key, user);
    }

    @Test
    void tracksOnlyConcreteKeysUnderItsPatterns() {
        assertThat(presence.tracks("room.a")).isTrue();
        assertThat(presence.tracks("news.a")).isFalse();
    }

    @Test
    void sessionsAddUpAcrossNodesAndAUserJoinsAndLeavesOnce() {
        watch("room.a");
        presence.joined("room.a", "alice", "s1");
        from("n2", PresenceUpdate.delta(1, 1, "room.a", "alice", 2));
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 3));
        presence.left("room.a", "alice", "s1");
        from("n2", PresenceUpdate.delta(1, 2, "room.a", "alice", 0));

        assertThat(events).containsExactly("snapshot " + PresenceJson.snapshot("room.a", Map.of()),
                join("room.a", "alice"), leave("room.a", "alice"));
        assertThat(presence.users("room.a")).isEmpty();
    }

    @Test
    void twoSubscriptionsOfOneSessionCountAsOneSession() {
        presence.joined("room.a", "alice", "s1");
        presence.joined("room.a", "alice", "s1");
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 1));
        presence.left("room.a", "alice", "s1");
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 1));
        presence.left("room.a", "alice", "s1");
        assertThat(presence.users("room.a")).isEmpty();
    }

    @Test
    void aDigestReplacesWhatItsNodeReportedBefore() {
        from("n2", digest(1, 1, Map.of("room.a", Map.of("alice", 1, "bob", 1))));
        watch("room.a");
        from("n2", digest(1, 2, Map.of("room.a", Map.of("bob", 2), "room.b", Map.of("carol", 1))));

        assertThat(events).containsExactly(
                "snapshot {\"destination\":\"/topic/room.a\",\"users\":[{\"user\":\"alice\",\"sessions\":1},"
                        + "{\"user\":\"bob\",\"sessions\":1}]}",
                leave("room.a", "alice"));
        assertThat(presence.users("room.a")).isEqualTo(Map.of("bob", 2));
        assertThat(presence.users("room.b")).isEqualTo(Map.of("carol", 1));
    }

    @Test
    void anOlderMessageThanTheLastAppliedIsIgnored() {
        from("n2", PresenceUpdate.delta(1, 5, "room.a", "alice", 1));
        from("n2", digest(1, 4, Map.of()));
        from("n2", PresenceUpdate.delta(1, 3, "room.a", "alice", 0));
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 1));
    }

    @Test
    void aRestartedNodeStartsFromNothing() {
        from("n2", digest(1, 9, Map.of("room.a", Map.of("alice", 1))));
        from("n2", PresenceUpdate.delta(2, 1, "room.a", "bob", 1)); // new epoch, low seq: still applied
        assertThat(presence.users("room.a")).isEqualTo(Map.of("bob", 1));
    }

    @Test
    void theUsersOfANodeSilentForThreeIntervalsLeave() {
        watch("room.a");
        from("n2", digest(1, 1, Map.of("room.a", Map.of("alice", 1))));
        nanos.addAndGet(INTERVAL.toNanos() * 3);
        presence.tick();
        assertThat(presence.users("room.a")).as("three intervals: not yet").isEqualTo(Map.of("alice", 1));
        nanos.addAndGet(INTERVAL.toNanos() / 2);
        presence.tick();
        assertThat(presence.users("room.a")).isEmpty();
        assertThat(events).endsWith(leave("room.a", "alice"));
    }

    @Test
    void aDigestKeepsItsNodeAlive() {
        from("n2", digest(1, 1, Map.of("room.a", Map.of("alice", 1))));
        for (int i = 2; i < 10; i++) {
            nanos.addAndGet(INTERVAL.toNanos());
            from("n2", digest(1, i, Map.of("room.a", Map.of("alice", 1))));
            presence.tick();
        }
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 1));
    }

    @Test
    void aDepartingNodesUsersLeaveAtOnce() {
        from("n2", digest(7, 1, Map.of("room.a", Map.of("alice", 1))));
        from("n2", new PresenceUpdate(PresenceUpdate.Kind.BYE, 7, 2, Map.of()));
        assertThat(presence.users("room.a")).isEmpty();
    }

    @Test
    void thisNodesOwnMessagesAreNotCountedTwice() {
        presence.joined("room.a", "alice", "s1");
        presence.tick(); // the in-JVM broker hands this node its own digest
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 1));
    }

    @Test
    void pairsBeyondTheCapAreNotCountedHereOrFromOtherNodes() {
        presence = presence(2);
        presence.joined("room.a", "alice", "s1");
        presence.joined("room.a", "bob", "s2");
        presence.joined("room.a", "carol", "s3");
        presence.left("room.a", "carol", "s3");
        assertThat(presence.users("room.a")).isEqualTo(Map.of("alice", 1, "bob", 1));

        from("n2", digest(1, 1, Map.of("room.b", Map.of("u1", 1, "u2", 1, "u3", 1))));
        assertThat(presence.users("room.b")).hasSize(2);
    }

    @Test
    void aWatchStoppedHearsNothingMore() {
        Runnable stop = presence.watch("room.a", m -> events.add("event"));
        stop.run();
        presence.joined("room.a", "alice", "s1");
        assertThat(events).containsExactly("event"); // the snapshot only
    }

    @Test
    void namesAreEscapedInTheJson() {
        assertThat(PresenceJson.event("room.a", "a\"b\\c\n")).isEqualTo(
                "{\"destination\":\"/topic/room.a\",\"user\":\"a\\\"b\\\\c\\n\"}");
    }
}
