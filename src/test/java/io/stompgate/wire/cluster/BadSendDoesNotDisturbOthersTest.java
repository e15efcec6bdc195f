package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A SEND that AMQP cannot carry (a 300-byte header name) gets its ERROR; every other session's SENDs keep their receipts. */
@NeedsRabbitMQ
class BadSendDoesNotDisturbOthersTest {

    @Test
    void oneBadSendDoesNotBreakOtherSessionsReceipts() {
        try (GatewayNode node = GatewayNode.startRabbit();
                RawStompClient attacker = node.client("mallory");
                RawStompClient victim = node.client("alice")) {
            attacker.connectStomp();
            victim.connectStomp();
            attacker.sendText("SEND\ndestination:/topic/x\n" + "h".repeat(300) + ":v\n\nboom\0");
            assertThat(attacker.next(Duration.ofSeconds(5)).command()).isEqualTo(StompCommand.ERROR);

            victim.sendText("SEND\ndestination:/topic/y\nreceipt:r1\n\nhello\0");
            StompFrame answer = victim.next(Duration.ofSeconds(10));
            assertThat(answer.command()).as("victim got: %s %s", answer.command(), answer.header("message"))
                    .isEqualTo(StompCommand.RECEIPT);
        }
    }
}
