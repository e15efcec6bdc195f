package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.rabbitmq.RabbitBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A broadcast costs the broker one delivery per node, not one per subscriber:
 * 15 subscribers on two nodes, 20 messages, 300 MESSAGE frames, 40 AMQP deliveries.
 */
@NeedsRabbitMQ
class BroadcastCostTest {

    @Test
    void eachNodeTakesOneDeliveryPerBroadcastWhateverItsSubscriberCount() {
        String topic = "/topic/cost" + UUID.randomUUID().toString().substring(0, 8);
        try (GatewayNode a = GatewayNode.startRabbit(); GatewayNode b = GatewayNode.startRabbit()) {
            List<RawStompClient> subscribers = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                RawStompClient c = (i < 10 ? a : b).client("s" + i);
                c.connectStomp();
                c.sendText("SUBSCRIBE\nid:s\ndestination:" + topic + "\nreceipt:r\n\n\0");
                assertThat(c.next().command()).isEqualTo(StompCommand.RECEIPT);
                subscribers.add(c);
            }
            long beforeA = a.bean(RabbitBroker.class).nodeDeliveryCount();
            long beforeB = b.bean(RabbitBroker.class).nodeDeliveryCount();
            try (RawStompClient publisher = a.client("pub")) {
                publisher.connectStomp();
                for (int m = 0; m < 20; m++) {
                    publisher.sendText("SEND\ndestination:" + topic + "\nreceipt:p" + m + "\n\nm" + m + "\0");
                    assertThat(publisher.next().command()).isEqualTo(StompCommand.RECEIPT);
                }
            }
            int frames = 0;
            for (RawStompClient c : subscribers) {
                for (int m = 0; m < 20; m++) {
                    assertThat(RawStompClient.text(c.expect(f -> f.command() == StompCommand.MESSAGE,
                            Duration.ofSeconds(10)))).isEqualTo("m" + m);
                    frames++;
                }
                c.close();
            }
            assertThat(frames).isEqualTo(300);
            assertThat(a.bean(RabbitBroker.class).nodeDeliveryCount() - beforeA).isEqualTo(20);
            assertThat(b.bean(RabbitBroker.class).nodeDeliveryCount() - beforeB).isEqualTo(20);
        }
    }
}
