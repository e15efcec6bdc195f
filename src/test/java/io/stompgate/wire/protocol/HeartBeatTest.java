package io.stompgate.wire.protocol;

import static io.stompgate.testing.ErrorAssertions.assertErrorThenClose;
import static io.stompgate.testing.GatewayAssertions.assertNodeServesNewSession;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.TunedGatewayTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Heart-beats against {@code gateway.heartbeat.server-ms=100} and {@code client-ms=100}. */
class HeartBeatTest extends TunedGatewayTest {

    private RawStompClient connectWithHeartBeat(String user, String heartBeat) {
        RawStompClient c = clients.track(RawStompClient.connectAs(port, user));
        StompFrame connected = c.connectStomp("heart-beat", heartBeat);
        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(connected.header("heart-beat")).as("what the server offers").isEqualTo("100,100");
        return c;
    }

    @Test
    void clientAskingForHeartBeatsReceivesEolsAtTheNegotiatedInterval() {
        RawStompClient c = connectWithHeartBeat("listener", "0,100");
        long start = System.nanoTime();

        await().atMost(Duration.ofSeconds(3)).until(() -> c.heartBeatsReceived() >= 5);

        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("5 beats at one per <=100 ms, not a burst").isGreaterThanOrEqualTo(200);
        assertThat(c.drain()).as("beats are bare EOLs, not frames").isEmpty();
    }

    @Test
    void silentClientThatPromisedHeartBeatsIsClosedWithError() {
        RawStompClient silent = connectWithHeartBeat("silent", "100,0");

        assertErrorThenClose(silent, "heart-beat");
        assertNodeServesNewSession(port);
    }

    @Test
    void clientThatKeepsItsHeartBeatPromiseStaysConnected() {
        RawStompClient beating = connectWithHeartBeat("beating", "100,0");
        beating.startHeartBeats(Duration.ofMillis(50));

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(beating::isOpen);

        beating.subscribe("s", "/topic/beating");
        beating.sendText(send("/topic/beating", "alive"));
        assertThat(RawStompClient.text(beating.expectMessage())).isEqualTo("alive");
    }

    @Test
    void clientOfferingNoHeartBeatsIsNeitherSentNorExpectedAny() {
        RawStompClient quiet = connectWithHeartBeat("quiet", "0,0");

        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(quiet::isOpen);

        assertThat(quiet.heartBeatsReceived()).isZero();
    }
}
