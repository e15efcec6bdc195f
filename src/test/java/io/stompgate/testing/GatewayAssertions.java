package io.stompgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.session.SessionRegistry;
import io.stompgate.session.StompSession;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.Frames;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import java.util.UUID;

/** Checks shared by the tests that drive a real gateway over WebSocket. */
public final class GatewayAssertions {

    private GatewayAssertions() {
    }

    /** A brand-new session can connect, subscribe and receive what it sends: the node is still serving. */
    public static void assertNodeServesNewSession(int port) {
        try (RawStompClient fresh = RawStompClient.connectAs(port, "fresh")) {
            StompFrame connected = fresh.connectStomp();
            assertThat(connected.command()).as("CONNECT of a fresh session: %s", RawStompClient.describe(connected))
                    .isEqualTo(StompCommand.CONNECTED);
            String key = "health." + UUID.randomUUID().toString().replace("-", "");
            fresh.subscribe("health", "/topic/" + key);
            fresh.sendText(Frames.send("/topic/" + key, "still serving"));
            StompFrame message = fresh.expectMessage();
            assertThat(RawStompClient.text(message)).isEqualTo("still serving");
        }
    }

    /** Waits until the server has released the session {@code sessionId} (its CONNECTED {@code session} header). */
    public static void awaitSessionReleased(SessionRegistry registry, String sessionId) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> registry.sessions().stream().map(StompSession::id).noneMatch(sessionId::equals));
    }
}
