package io.stompgate.wire.cluster;

import static io.stompgate.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.rabbitmq.RabbitBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The budget for {@code /queue/<name>} is the broker's: with a long configured
 * {@code gateway.rabbitmq.queue-prefix} a name that no longer fits an AMQP queue name
 * is an ERROR for that session only, never a reconnect of the node.
 */
@NeedsRabbitMQ
class QueueNameBudgetTest {

    /** 240 bytes of prefix leave 15 for the name (AMQP queue names hold 255). */
    private static final String LONG_PREFIX = "stomp.queue." + "p".repeat(227) + ".";

    @Test
    void aQueueNameThatDoesNotFitAfterALongPrefixIsRefusedForThatSessionOnly() throws Exception {
        try (GatewayNode node = GatewayNode.startRabbit("gateway.rabbitmq.queue-prefix=" + LONG_PREFIX);
                RawStompClient sender = node.client("mallory");
                RawStompClient bystander = node.client("alice")) {
            sender.connectStomp();
            bystander.connectStomp();
            String name = "q".repeat(20);

            sender.sendText("SEND\ndestination:/queue/" + name + "\nreceipt:r1\n\nhello\0");
            StompFrame answer = sender.next(Duration.ofSeconds(10));

            assertError(answer, "too long", "15 bytes");
            bystander.sendText("SEND\ndestination:/topic/budget.check\nreceipt:r2\n\nstill fine\0");
            StompFrame receipt = bystander.next(Duration.ofSeconds(10));
            assertThat(receipt.command()).as("bystander got %s %s", receipt.command(), receipt.header("message"))
                    .isEqualTo(StompCommand.RECEIPT);
            Thread.sleep(500); // a reconnect, had one been started, would be counted by now
            assertThat(node.bean(RabbitBroker.class).reconnectCount()).as("node reconnects").isZero();
        }
    }

    @Test
    void aSubscriptionToAQueueNameThatDoesNotFitIsRefused() {
        try (GatewayNode node = GatewayNode.startRabbit("gateway.rabbitmq.queue-prefix=" + LONG_PREFIX);
                RawStompClient client = node.client("mallory")) {
            client.connectStomp();

            client.sendText("SUBSCRIBE\nid:s1\ndestination:/queue/" + "q".repeat(16) + "\nreceipt:r1\n\n\0");
            StompFrame answer = client.next(Duration.ofSeconds(10));

            assertError(answer, "too long");
        }
    }

    @Test
    void aQueueNameThatFitsTheBudgetIsCarried() {
        String name = "b" + Long.toString(System.nanoTime() % 100_000_000L, 36);
        try (GatewayNode node = GatewayNode.startRabbit("gateway.rabbitmq.queue-prefix=" + LONG_PREFIX);
                RawStompClient client = node.client("alice")) {
            client.connectStomp();

            client.sendText("SUBSCRIBE\nid:s1\ndestination:/queue/" + name + "\nreceipt:r1\n\n\0");
            assertThat(client.next(Duration.ofSeconds(10)).command()).isEqualTo(StompCommand.RECEIPT);
            client.sendText("SEND\ndestination:/queue/" + name + "\n\nfits\0");
            StompFrame message = client.next(Duration.ofSeconds(10));

            assertThat(message.command()).isEqualTo(StompCommand.MESSAGE);
            assertThat(message.bodyAsString()).isEqualTo("fits");
        }
        finally {
            try (Rabbit rabbit = Rabbit.connect()) {
                rabbit.deleteQueue(LONG_PREFIX + name);
            }
        }
    }
}
