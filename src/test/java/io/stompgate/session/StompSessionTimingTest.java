package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.heartBeatAt;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.HeartBeat;
import io.stompgate.stomp.StompCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Everything that happens with the passing of time, in virtual time: heart-beats
 * both ways, the CONNECT timeout and token expiry.
 */
class StompSessionTimingTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();

    /** The server can beat every 2 s and wants the client's every 1 s. */
    final SessionHarness harness = new SessionHarness(broker,
            SessionHarness.options(o -> o.heartBeat = new HeartBeat(2_000, 1_000)));

    @Test
    void serverSendsHeartBeatsAtTheNegotiatedIntervalWhenIdle() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "0,2000"))
                .assertNext(connected())
                .then(() -> harness.advanceMs(6_000))
                .assertNext(heartBeatAt(2_000))
                .assertNext(heartBeatAt(4_000))
                .assertNext(heartBeatAt(6_000))
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void clientAskingForFasterBeatsThanTheOfferGetsThemAndIsToldSo() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "0,1500"))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(connected());
                    assertThat(sent.header("heart-beat")).isEqualTo("1500,1000");
                })
                .then(() -> harness.advanceMs(4_500))
                .assertNext(heartBeatAt(1_500))
                .assertNext(heartBeatAt(3_000))
                .assertNext(heartBeatAt(4_500))
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    /** The shipped offer (10 s both ways) and floor (1 s). */
    final SessionHarness shipped = new SessionHarness(broker, SessionHarness.options(o -> { }));

    @Test
    void clientAskingForBeatsBelowTheFloorGetsThemAtTheFloor() {
        TestClient client = shipped.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "0,500"))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(connected());
                    assertThat(sent.header("heart-beat")).isEqualTo("1000,10000");
                })
                .then(() -> shipped.advanceMs(3_000))
                .assertNext(heartBeatAt(1_000))
                .assertNext(heartBeatAt(2_000))
                .assertNext(heartBeatAt(3_000))
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void clientPromisingBeatsBelowTheFloorIsHeldToTheFloor() {
        TestClient client = shipped.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "500,0"))
                .assertNext(sent -> assertThat(sent.header("heart-beat")).isEqualTo("10000,1000"))
                .then(() -> shipped.advanceMs(3_000))
                .then(() -> assertThat(client.session.isOpen()).as("open at 3 floors of silence").isTrue())
                .then(() -> shipped.advanceMs(1_000))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(error("no frame or heart-beat from the client for 3000 ms"));
                    assertThat(sent.atMs()).isLessThanOrEqualTo(4_000);
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void clientPromisingBeatsAboveTheFloorIsHeldToItsPromise() {
        TestClient client = shipped.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "2000,2000"))
                .assertNext(sent -> assertThat(sent.header("heart-beat")).isEqualTo("2000,2000"))
                .then(() -> shipped.advanceMs(2_000))
                .assertNext(heartBeatAt(2_000))
                .then(client::heartBeat)
                .then(() -> shipped.advanceMs(6_000))
                .then(() -> assertThat(client.session.isOpen()).as("open at 3 intervals of silence").isTrue())
                .assertNext(heartBeatAt(4_000))
                .assertNext(heartBeatAt(6_000))
                .assertNext(heartBeatAt(8_000))
                .then(() -> shipped.advanceMs(2_000))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(error("no frame or heart-beat from the client for 6000 ms"));
                    assertThat(sent.atMs()).isLessThanOrEqualTo(10_000);
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void serverHeartBeatsNeverLeaveAGapLongerThanTheNegotiatedInterval() {
        TestClient client = harness.open();
        List<Sent> sent = client.collect();
        client.connect("heart-beat", "0,2000");
        // Some activity at odd moments, so that beats must fit around other writes.
        for (long at : new long[] {700, 2_300, 3_100, 3_900, 8_000, 8_001, 13_999}) {
            harness.advanceMs(at - harness.nowMs());
            client.sendMessage("/topic/t", "x", "receipt", "r" + at);
        }
        harness.advanceMs(20_000 - harness.nowMs());

        assertThat(sent).anyMatch(Sent::isHeartBeat);
        long previous = 0;
        for (Sent s : sent) {
            assertThat(s.atMs() - previous).as("gap before %s", s).isLessThanOrEqualTo(2_000);
            previous = s.atMs();
        }
        assertThat(harness.nowMs() - previous).as("gap at the end").isLessThanOrEqualTo(2_000);
    }

    @Test
    void noServerHeartBeatsWhenTheClientAskedForNone() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "0,0"))
                .assertNext(connected())
                .then(() -> harness.advance(Duration.ofMinutes(5)))
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void silentClientIsClosedWithErrorAfterThreeClientIntervals() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "1000,0"))
                .assertNext(connected())
                .then(() -> harness.advanceMs(3_000))
                .then(() -> assertThat(client.session.isOpen()).as("open at 3 intervals of silence").isTrue())
                .then(() -> harness.advanceMs(1_000))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(error("no frame or heart-beat from the client for 3000 ms"));
                    assertThat(sent.atMs()).isLessThanOrEqualTo(4_000);
                })
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(CloseReason.HEARTBEAT_TIMEOUT);
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.HEARTBEAT_TIMEOUT);
        assertThat(harness.registry.sessionCount()).isZero();
    }

    @Test
    void clientThatKeepsSendingHeartBeatsStaysOpen() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "1000,0"))
                .assertNext(connected())
                .then(() -> {
                    for (int i = 0; i < 60; i++) {
                        harness.advanceMs(1_000);
                        client.heartBeat();
                    }
                })
                .then(() -> assertThat(client.session.isOpen()).isTrue())
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void noConnectWithinTheConnectTimeoutClosesTheSession() {
        SessionHarness quick = new SessionHarness(broker,
                SessionHarness.options(o -> o.connectTimeout = Duration.ofSeconds(10)));
        TestClient client = quick.open();

        StepVerifier.create(client.outbound())
                .then(() -> quick.advanceMs(9_999))
                .then(() -> assertThat(client.session.isOpen()).isTrue())
                .then(() -> quick.advanceMs(1))
                .assertNext(error("no CONNECT frame within 10000 ms"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.readingEnded()).isTrue();
        assertThat(quick.metrics.errors).containsExactly(ErrorReason.NOT_CONNECTED);
    }

    @Test
    void connectBeforeTheConnectTimeoutKeepsTheSessionOpen() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> harness.advanceMs(9_000))
                .then(client::connect)
                .assertNext(connected())
                .then(() -> harness.advance(Duration.ofMinutes(1)))
                .then(() -> assertThat(client.session.isOpen()).isTrue())
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void expiringTokenClosesTheSessionWithErrorAtThatMoment() {
        Instant expiry = Instant.ofEpochMilli(harness.nowMs() + 60_000);
        TestClient client = harness.open(new Identity("alice", Set.of("scope:chat"), expiry));

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/topic/chat", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> harness.advanceMs(59_999))
                .then(() -> assertThat(client.session.isOpen()).isTrue())
                .then(() -> harness.advanceMs(1))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(error("token expired"));
                    assertThat(sent.atMs()).isEqualTo(60_000);
                })
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(CloseReason.TOKEN_EXPIRED);
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.TOKEN_EXPIRED);
        assertThat(harness.registry.topicPatternCount()).isZero();
        assertThat(broker.netTopicBindings()).containsEntry("chat", 0);
    }
}
