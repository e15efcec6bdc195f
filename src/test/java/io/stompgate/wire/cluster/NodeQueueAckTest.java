package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The node queue is acked in batches, and a quiet queue gets the rest of a batch
 * acked shortly after: an idle node shows no unacknowledged messages to the
 * operator watching RabbitMQ (whose statistics lag by a few seconds).
 */
@NeedsRabbitMQ
class NodeQueueAckTest {

    @Test
    void deliveriesOfAQuietNodeQueueAreAllAcked() throws Exception {
        try (GatewayNode node = GatewayNode.startRabbit();
             RawStompClient client = node.client("acker")) {
            client.connectStomp();
            client.subscribe("s", "/topic/acks.quiet");
            for (int i = 0; i < 3; i++) {
                client.sendAndAwaitReceipt("SEND\ndestination:/topic/acks.quiet\nreceipt:r" + i + "\n\nm" + i + "\0", "r" + i);
                assertThat(RawStompClient.text(client.expectMessage())).isEqualTo("m" + i);
            }

            String queue = "stomp.node." + node.nodeId();
            ObjectMapper json = new ObjectMapper();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode stats = json.readTree(Rabbit.management(Rabbit.queuePath(queue)));
                // The node queue also carries messages between nodes (membership, presence): every delivery
                // it had, the three topic messages among them, is acked.
                long delivered = stats.path("message_stats").path("deliver_get").asLong();
                assertThat(delivered).as("deliveries of %s", queue).isGreaterThanOrEqualTo(3);
                assertThat(stats.path("message_stats").path("ack").asLong()).as("acks of %s", queue).isEqualTo(delivered);
                assertThat(stats.path("messages_unacknowledged").asLong()).isZero();
            });
        }
    }
}
