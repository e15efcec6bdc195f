package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeQueueOptionsTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        NodeQueueOptions defaults = NodeQueueOptions.defaults();

        assertThat(defaults.arguments()).containsEntry("x-expires", 60_000)
                .containsEntry("x-max-length-bytes", 64L * 1024 * 1024)
                .containsEntry("x-overflow", "drop-head")
                .containsEntry("x-queue-type", "classic");
    }

    @Test
    void quorumIsAQueueTypeArgument() {
        NodeQueueOptions quorum = new NodeQueueOptions(Duration.ofSeconds(5), 1024,
                NodeQueueOptions.Type.parse("Quorum", "p"));

        assertThat(quorum.arguments()).containsEntry("x-queue-type", "quorum").containsEntry("x-expires", 5000);
    }

    @Test
    void eachBadValueNamesItsProperty() {
        assertThatThrownBy(() -> NodeQueueOptions.Type.parse("mirrored", "gateway.rabbitmq.node-queue.type"))
                .hasMessage("gateway.rabbitmq.node-queue.type must be classic or quorum, was 'mirrored'");
        assertThatThrownBy(() -> new NodeQueueOptions(Duration.ofMillis(999), 1, NodeQueueOptions.Type.CLASSIC))
                .hasMessageStartingWith("gateway.rabbitmq.node-queue.expires must be between 1s and");
        assertThatThrownBy(() -> new NodeQueueOptions(Duration.ofDays(30), 1, NodeQueueOptions.Type.CLASSIC))
                .hasMessageStartingWith("gateway.rabbitmq.node-queue.expires");
        assertThatThrownBy(() -> new NodeQueueOptions(Duration.ofSeconds(60), 0, NodeQueueOptions.Type.CLASSIC))
                .hasMessageStartingWith("gateway.rabbitmq.node-queue.max-bytes must be positive");
    }
}
