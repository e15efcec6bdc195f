package io.stompgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.History;
import io.stompgate.broker.local.LocalBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * What the session layer tells its presence hook (docs/protocol.md §9): subscriptions to concrete
 * topics under presence, each ended once however the subscription ends; {@code /presence/<key>}
 * watches, refused for wildcards, topics outside presence and topics the session may not read.
 */
class StompSessionPresenceTest {

    /** Records calls; tracks {@code room.*} keys; a watch gets a snapshot at once and keeps its listener. */
    static final class RecordingPresence implements Presence {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Consumer<BrokerMessage>> watchers = new CopyOnWriteArrayList<>();

        @Override
        public boolean tracks(String key) {
            calls.add("tracks " + key);
            return key.startsWith("room.");
        }

        @Override
        public void joined(String key, String user, String sessionId) {
            calls.add("joined " + key + " " + user);
        }

        @Override
        public void left(String key, String user, String sessionId) {
            calls.add("left " + key + " " + user);
        }

        @Override
        public Runnable watch(String key, Consumer<BrokerMessage> listener) {
            calls.add("watch " + key);
            watchers.add(listener);
            listener.accept(new BrokerMessage(StompHeaders.of("x-presence", "snapshot"), bytes("{}")));
            return () -> {
                calls.add("unwatch " + key);
                watchers.remove(listener);
            };
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    final RecordingPresence presence = new RecordingPresence();
    final DestinationPolicy noSecrets = new DestinationPolicy() {
        @Override
        public boolean maySubscribe(Identity identity, String destination, Address address) {
            return !destination.startsWith("/topic/room.secret");
        }

        @Override
        public boolean maySend(Identity identity, String destination, Address address) {
            return true;
        }
    };
    final SessionHarness harness = new SessionHarness(new LocalBroker("presence-test", History.none(), p -> Mono.empty(), 10),
            SessionOptions.DEFAULTS, SessionHarness.TRUSTING, noSecrets, presence);

    @Test
    void aConcreteTopicUnderPresenceJoinsAndLeavesOnceEvenWhenTheSessionThenCloses() {
        TestClient alice = harness.open();
        alice.collect();
        alice.connect().subscribe("a", "/topic/room.lobby").send(StompCommand.UNSUBSCRIBE, "id", "a");
        alice.closeTransport();

        assertThat(presence.calls).containsExactly("tracks room.lobby", "joined room.lobby alice", "left room.lobby alice");
    }

    @Test
    void closingTheSessionEndsItsPresence() {
        TestClient alice = harness.open();
        alice.collect();
        alice.connect().subscribe("a", "/topic/room.lobby");
        alice.closeTransport();

        assertThat(presence.calls).containsExactly("tracks room.lobby", "joined room.lobby alice", "left room.lobby alice");
    }

    @Test
    void wildcardSubscriptionsAreNotAskedAboutAndOtherTopicsOnlyOnce() {
        TestClient alice = harness.open();
        alice.collect();
        alice.connect().subscribe("w", "/topic/room.*").subscribe("n", "/topic/news.today");
        alice.sendMessage("/topic/news.today", "hello");
        alice.sendMessage("/topic/news.today", "again");
        alice.closeTransport();

        assertThat(presence.calls).containsExactly("tracks news.today");
    }

    @Test
    void aWatchGetsTheSnapshotThenEventsOnItsPresenceDestinationUntilUnsubscribed() {
        TestClient bob = harness.open(Identity.of("bob"));
        List<Sent> seen = bob.collect();
        bob.connect().subscribe("p", "/presence/room.lobby", "receipt", "r");
        presence.watchers.get(0).accept(new BrokerMessage(StompHeaders.of("x-presence", "join"), bytes("{\"user\":\"x\"}")));
        bob.send(StompCommand.UNSUBSCRIBE, "id", "p");

        assertThat(presence.watchers).isEmpty();
        assertThat(presence.calls).containsExactly("tracks room.lobby", "watch room.lobby", "unwatch room.lobby");
        List<Sent> messages = seen.stream().filter(s -> s.command() == StompCommand.MESSAGE).toList();
        assertThat(messages).extracting(s -> s.header("x-presence")).containsExactly("snapshot", "join");
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.header("destination")).isEqualTo("/presence/room.lobby");
            assertThat(m.header("subscription")).isEqualTo("p");
        });
        assertThat(seen).extracting(Sent::command).contains(StompCommand.RECEIPT);
    }

    @Test
    void aWatchIsRefusedForWildcardsTopicsOutsidePresenceAndTopicsTheSessionMayNotRead() {
        for (String[] refused : new String[][] {
                {"/presence/room.*", "concrete"},
                {"/presence/news.today", "not under presence"},
                {"/presence/room.secret.plans", "not allowed to subscribe"}}) {
            TestClient eve = harness.open(Identity.of("eve"));
            List<Sent> seen = eve.collect();
            eve.connect().subscribe("p", refused[0]);
            assertThat(seen).filteredOn(s -> s.command() == StompCommand.ERROR).singleElement()
                    .satisfies(Expect.error(refused[1]));
        }
        assertThat(presence.watchers).isEmpty();
        assertThat(presence.calls).noneMatch(c -> c.startsWith("watch"));
    }
}
