package io.stompgate.wire.protocol;

import static io.stompgate.testing.ErrorAssertions.assertErrorThenClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Heart-beats as the client asks, against the shipped settings: a default offer of
 * {@code 10000,10000} and a floor ({@code gateway.heartbeat.min-ms}) of 1000 ms.
 */
class HeartBeatFloorTest extends LocalGatewayTest {

    private RawStompClient connectWithHeartBeat(String user, String heartBeat, String expectedOffer) {
        RawStompClient c = clients.track(RawStompClient.connectAs(port, user));
        StompFrame connected = c.connectStomp("heart-beat", heartBeat);
        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(connected.header("heart-beat")).as("CONNECTED's answer to heart-beat:%s", heartBeat)
                .isEqualTo(expectedOffer);
        return c;
    }

    @Test
    void clientAsking500MsBeatsGetsThemEvery1000Ms() {
        RawStompClient c = connectWithHeartBeat("fast-listener", "0,500", "1000,10000");
        long start = System.nanoTime();

        await().atMost(Duration.ofSeconds(5)).until(() -> c.heartBeatsReceived() >= 3);

        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("3 beats at the floor, not at the default offer of 10 s").isLessThan(4_000);
        assertThat(c.drain()).as("beats are bare EOLs, not frames").isEmpty();
    }

    @Test
    void clientAsking2000MsBeatsGetsThemEvery2000Ms() {
        RawStompClient c = connectWithHeartBeat("listener", "0,2000", "2000,10000");
        long start = System.nanoTime();

        await().atMost(Duration.ofSeconds(8)).until(() -> c.heartBeatsReceived() >= 2);

        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("2 beats at 2000 ms, not at the default offer of 10 s").isLessThan(6_000);
    }

    @Test
    void clientPromising500MsBeatsIsExpectedToBeatEvery1000Ms() {
        RawStompClient silent = connectWithHeartBeat("fast-silent", "500,0", "10000,1000");
        long start = System.nanoTime();

        assertErrorThenClose(silent, "no frame or heart-beat from the client for 3000 ms");

        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("closed after three floors of silence, not three of its 500 ms")
                .isGreaterThanOrEqualTo(2_900).isLessThan(6_000);
    }

    @Test
    void clientPromising2000MsBeatsIsExpectedToBeatEvery2000Ms() {
        RawStompClient silent = connectWithHeartBeat("silent", "2000,0", "10000,2000");
        long start = System.nanoTime();

        assertErrorThenClose(silent, "no frame or heart-beat from the client for 6000 ms");

        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(5_900).isLessThan(9_000);
    }
}
