package io.stompgate.wire.resilience;

import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.session.StompSession;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.TunedGatewayTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A session that stops reading, with {@code gateway.limits.outbound-frames=8}:
 * once its send queue is full it gets {@code ERROR message:slow consumer} and is
 * closed, while the publisher keeps its pace.
 */
class SlowConsumerIsClosedWithErrorTest extends TunedGatewayTest {

    private static final int MAX_MESSAGES = 4_000;
    private static final String BODY = "x".repeat(32 * 1024);

    private boolean isRegistered(String sessionId) {
        return registry.sessions().stream().map(StompSession::id).anyMatch(sessionId::equals);
    }

    @Test
    void sessionThatStopsReadingIsClosedAsSlowConsumerAndThePublisherIsUnaffected() {
        RawStompClient slow = client("slow");
        String slowSession = slow.connectedSession();
        slow.subscribe("s", "/topic/firehose");
        RawStompClient publisher = client("publisher");
        slow.pause();

        int sent = 0;
        while (sent < MAX_MESSAGES && isRegistered(slowSession)) {
            for (int i = 0; i < 50; i++) {
                publisher.sendText(send("/topic/firehose", BODY));
            }
            sent += 50;
            publisher.sendAndAwaitReceipt(send("/topic/firehose", "tick", "receipt", "r" + sent), "r" + sent);
        }

        assertThat(isRegistered(slowSession)).as("slow session closed after %d messages", sent).isFalse();
        publisher.sendAndAwaitReceipt(send("/topic/firehose", "after", "receipt", "after"), "after");
        assertThat(publisher.isOpen()).isTrue();

        slow.resume();
        StompFrame error = slow.expect(f -> f.command() == StompCommand.ERROR, Duration.ofSeconds(20));
        assertThat(error.header("message")).isEqualTo("slow consumer");
        assertThat(slow.awaitClosed(RawStompClient.TIMEOUT)).isTrue();
    }
}
