package io.stompgate.session;

import io.stompgate.broker.History;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.app.AppHandlers;
import io.stompgate.broker.local.LocalBroker;
import io.stompgate.stomp.StompCommand;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Every MESSAGE frame has one layout, whatever the destination kind: the
 * per-subscription head ({@code subscription}, {@code message-id}, {@code ack}),
 * then {@code destination}, the sender's headers, the node's headers and
 * {@code content-length}.
 */
class MessageFrameLayoutTest {

    final LocalBroker broker = new LocalBroker("local-test", History.none(), new AppHandlers(List::of)::dispatch, 100);
    final SessionHarness harness = new SessionHarness(broker);

    @Test
    void topicUserAndQueueMessagesShareOneHeaderOrder() {
        TestClient alice = harness.open(Identity.of("alice"));
        List<Sent> saw = alice.collect();
        String queue = "layout" + System.nanoTime();
        alice.connect()
                .subscribe("t", "/topic/layout.x", "ack", "client-individual")
                .subscribe("u", "/user/queue/inbox", "ack", "client-individual")
                .subscribe("q", "/queue/" + queue, "ack", "client-individual")
                .sendMessage("/topic/layout.x", "1", "x-custom", "c")
                .sendMessage("/user/alice/queue/inbox", "2", "x-custom", "c")
                .sendMessage("/queue/" + queue, "3", "x-custom", "c");

        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> saw.stream().filter(s -> s.command() == StompCommand.MESSAGE).count() == 3);

        List<List<String>> orders = saw.stream().filter(s -> s.command() == StompCommand.MESSAGE)
                .map(s -> s.frame().headers().names()).toList();
        assertThat(orders).allSatisfy(names -> assertThat(names).containsExactly(
                "subscription", "message-id", "ack", "destination", "x-custom", "content-length"));
    }
}
