package io.stompgate.wire.delivery;

import static io.stompgate.testing.Frames.frame;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /queue/<name>}: competing consumers, acknowledgement modes, NACK and the
 * redelivery of what a closed session left unacknowledged (see also
 * {@link AbandonedQueueDeliveryTest}).
 */
class SharedQueueTest extends LocalGatewayTest {

    private static List<String> texts(RawStompClient client, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(RawStompClient.text(client.expectMessage()));
        }
        return out;
    }

    @Test
    void queueKeepsMessagesUntilASubscriberComes() {
        String queue = queue();
        RawStompClient producer = client("producer");
        producer.sendAndAwaitReceipt(send(queue, "waiting", "receipt", "p"), "p");

        RawStompClient consumer = client("consumer");
        consumer.subscribe("c", queue);

        StompFrame message = consumer.expectMessage();
        assertThat(message.header("destination")).isEqualTo(queue);
        assertThat(message.header("redelivered")).isNull();
        assertThat(RawStompClient.text(message)).isEqualTo("waiting");
    }

    @Test
    void eachQueueMessageGoesToExactlyOneOfTheCompetingSubscribers() {
        String queue = queue();
        RawStompClient first = client("worker");
        RawStompClient second = client("worker");
        RawStompClient producer = client("producer");
        first.subscribe("w1", queue);
        second.subscribe("w2", queue);

        for (int i = 0; i < 20; i++) {
            producer.sendText(send(queue, "job" + i));
        }

        List<String> all = new ArrayList<>();
        List<String> ofFirst = new ArrayList<>();
        long deadline = System.nanoTime() + RawStompClient.TIMEOUT.toNanos();
        while (all.size() < 20 && System.nanoTime() < deadline) {
            StompFrame f = first.next(Duration.ofMillis(20));
            if (f != null) {
                ofFirst.add(RawStompClient.text(f));
                all.add(RawStompClient.text(f));
            }
            StompFrame g = second.next(Duration.ofMillis(20));
            if (g != null) {
                all.add(RawStompClient.text(g));
            }
        }
        assertThat(all).as("every job delivered").hasSize(20);
        assertThat(new HashSet<>(all)).as("each job exactly once").hasSize(20);
        assertThat(ofFirst).as("both competing subscribers get work").isNotEmpty().hasSizeLessThan(20);
    }

    @Test
    void unacknowledgedMessagesOfADisconnectedSessionGoToAnotherSubscriberInTheirOrder() {
        String queue = queue();
        RawStompClient producer = client("producer");
        RawStompClient first = client("worker");
        RawStompClient second = client("worker");
        first.subscribe("w", queue, "ack", "client-individual");
        for (int i = 1; i <= 3; i++) {
            producer.sendText(send(queue, "job" + i));
        }
        assertThat(texts(first, 3)).containsExactly("job1", "job2", "job3");
        second.subscribe("w", queue, "ack", "client-individual");

        first.disconnect();

        for (int i = 1; i <= 3; i++) {
            StompFrame redelivered = second.expectMessage();
            assertThat(RawStompClient.text(redelivered)).isEqualTo("job" + i);
            assertThat(redelivered.header("redelivered")).isEqualTo("true");
            second.sendAndAwaitReceipt(frame("ACK", "id", redelivered.header("ack"), "receipt", "a" + i), "a" + i);
        }
    }

    @Test
    void clientAckAcknowledgesTheMessageAndEveryEarlierOne() {
        String queue = queue();
        RawStompClient producer = client("producer");
        RawStompClient first = client("worker");
        first.subscribe("w", queue, "ack", "client");
        for (int i = 1; i <= 4; i++) {
            producer.sendText(send(queue, "job" + i));
        }
        List<StompFrame> jobs = List.of(first.expectMessage(), first.expectMessage(), first.expectMessage(), first.expectMessage());
        assertThat(jobs).extracting(RawStompClient::text).containsExactly("job1", "job2", "job3", "job4");
        first.sendAndAwaitReceipt(frame("ACK", "id", jobs.get(2).header("ack"), "receipt", "a3"), "a3");
        RawStompClient second = client("worker");
        second.subscribe("w", queue, "ack", "client");

        first.disconnect();

        StompFrame redelivered = second.expectMessage();
        assertThat(RawStompClient.text(redelivered)).as("job1..job3 were acknowledged at once").isEqualTo("job4");
        assertThat(redelivered.header("redelivered")).isEqualTo("true");
        producer.sendText(send(queue, "job5"));
        StompFrame job5 = second.expectMessage();
        assertThat(RawStompClient.text(job5)).isEqualTo("job5");
        second.sendAndAwaitReceipt(frame("ACK", "id", job5.header("ack"), "receipt", "done"), "done");
    }

    @Test
    void nackedMessageIsRedelivered() {
        String queue = queue();
        RawStompClient producer = client("producer");
        RawStompClient worker = client("worker");
        worker.subscribe("w", queue, "ack", "client-individual");
        producer.sendText(send(queue, "job"));
        StompFrame first = worker.expectMessage();
        assertThat(first.header("redelivered")).isNull();

        worker.sendText(frame("NACK", "id", first.header("ack")));

        StompFrame again = worker.expectMessage();
        assertThat(RawStompClient.text(again)).isEqualTo("job");
        assertThat(again.header("redelivered")).isEqualTo("true");
        assertThat(again.header("message-id")).as("a redelivery is a new MESSAGE").isNotEqualTo(first.header("message-id"));
        worker.sendAndAwaitReceipt(frame("ACK", "id", again.header("ack"), "receipt", "done"), "done");
    }

    @Test
    void autoAckSubscriptionTakesEveryMessageInOrder() {
        String queue = queue();
        RawStompClient producer = client("producer");
        RawStompClient worker = client("worker");
        worker.subscribe("w", queue);
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            burst.append(send(queue, "job" + i));
        }
        producer.sendText(burst.toString());

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            expected.add("job" + i);
        }
        assertThat(texts(worker, 150)).containsExactlyElementsOf(expected);
    }
}
