package io.stompgate.wire.delivery;

import static io.stompgate.testing.GatewayAssertions.assertNodeServesNewSession;
import static io.stompgate.testing.GatewayAssertions.awaitSessionReleased;
import static io.stompgate.testing.Frames.frame;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A session that goes away abruptly while it is the only consumer of a queue and
 * holds unacknowledged messages. Runs on a node of its own: when this goes wrong
 * it can take an event loop with it, and other tests must not pay for that.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "gateway.node-id=abandoned-deliveries")
class AbandonedQueueDeliveryTest extends LocalGatewayTest {

    private String queue;
    private String firstSession;

    /**
     * If closing the only consumer left an event loop spinning, a new consumer on
     * the queue lets it hand the messages off and return, so the rest of the run
     * does not share two cores with a busy loop. Some connections may land on the
     * stuck loop and never upgrade; the next ones land elsewhere.
     */
    @AfterEach
    void rescueAStuckQueue() {
        if (queue == null) {
            return;
        }
        for (int attempt = 0; attempt < 6; attempt++) {
            try (RawStompClient rescuer = RawStompClient.connectAs(port, "rescuer")) {
                rescuer.connectStomp();
                rescuer.subscribe("rescue", queue);
                awaitSessionReleased(registry, firstSession);
                return;
            }
            catch (IllegalStateException | AssertionError stuckLoop) {
                // This connection was served by the stuck event loop; try another.
            }
        }
    }

    @Test
    void unacknowledgedMessagesOfAnAbruptlyClosedSessionAreRedeliveredAndAcknowledgedOnesAreNot() {
        queue = queue();
        RawStompClient producer = client("producer");
        RawStompClient first = client("worker");
        firstSession = first.connectedSession();
        first.subscribe("w", queue, "ack", "client-individual");
        for (int i = 1; i <= 3; i++) {
            producer.sendText(send(queue, "job" + i));
        }
        StompFrame job1 = first.expectMessage();
        assertThat(job1.header("ack")).as("1.2 MESSAGE of a client-individual subscription carries ack").isNotBlank();
        StompFrame job2 = first.expectMessage();
        StompFrame job3 = first.expectMessage();
        assertThat(List.of(job1, job2, job3)).extracting(RawStompClient::text).containsExactly("job1", "job2", "job3");
        first.sendAndAwaitReceipt(frame("ACK", "id", job2.header("ack"), "receipt", "a2"), "a2");

        first.close();
        awaitSessionReleased(registry, firstSession);
        RawStompClient second = client("worker");
        second.subscribe("w", queue, "ack", "client-individual");

        StompFrame again1 = second.expectMessage();
        StompFrame again3 = second.expectMessage();
        assertThat(List.of(again1, again3)).extracting(RawStompClient::text)
                .as("job2 was acknowledged; the others come back in their order").containsExactly("job1", "job3");
        assertThat(again1.header("redelivered")).isEqualTo("true");
        assertThat(again3.header("redelivered")).isEqualTo("true");
        producer.sendText(send(queue, "job4"));
        StompFrame job4 = second.expectMessage();
        assertThat(RawStompClient.text(job4)).as("nothing else was redelivered").isEqualTo("job4");
        assertThat(job4.header("redelivered")).isNull();
        assertNodeServesNewSession(port);
    }
}
