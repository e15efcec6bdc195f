package io.stompgate.wire.resilience;

import static io.stompgate.testing.Frames.frame;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.local.LocalBroker;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.NettyLeakRecorder;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.EchoApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

/**
 * Hundreds of sessions of every kind come and go, ending every way a session can
 * end; afterwards the node holds nothing for them: no session, subscription,
 * topic pattern, user or queue consumer, and no Netty buffer was leaked.
 *
 * <p>Runs on a node of its own, so what other tests leave cannot be mistaken for a
 * leak. Each shared queue has an "anchor" consumer for the whole run, so that
 * abrupt closes with unacknowledged messages always have someone to requeue to:
 * the case of a queue's only consumer vanishing is {@link io.stompgate.wire.delivery.AbandonedQueueDeliveryTest}'s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "gateway.node-id=leak-test")
@Import(EchoApplication.class)
class NoLeakTest {

    private static final int CYCLES = 300;
    private static final int USERS = 7;
    private static final int TOPICS = 11;
    private static final int QUEUES = 3;

    /** How a cycle's session ends. */
    private enum Ending { DISCONNECT, ABRUPT_WITH_UNACKED, PROTOCOL_ERROR, ABRUPT_AFTER_ACK, BEFORE_CONNECT, OPEN_TRANSACTION }

    @LocalServerPort
    int port;

    @Autowired
    SessionRegistry registry;

    @Autowired
    LocalBroker broker;

    @Test
    void sessionsThatComeAndGoLeaveNoSessionSubscriptionBindingConsumerOrBuffer() {
        List<RawStompClient> anchors = new ArrayList<>();
        for (int q = 0; q < QUEUES; q++) {
            RawStompClient anchor = RawStompClient.connectAs(port, "anchor");
            assertThat(anchor.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
            anchor.subscribe("a", "/queue/leak" + q);
            anchors.add(anchor);
        }

        for (int i = 0; i < CYCLES; i++) {
            cycle(i, Ending.values()[i % Ending.values().length]);
        }

        for (int q = 0; q < QUEUES; q++) {
            String queue = "leak" + q;
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.readyCount(queue) == 0);
            anchors.get(q).drain();
            anchors.get(q).disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(registry.sessionCount()).as("sessions").isZero();
            assertThat(registry.subscriptionCount()).as("subscriptions").isZero();
            assertThat(registry.topicPatternCount()).as("topic patterns").isZero();
            assertThat(registry.userCount()).as("users").isZero();
            assertThat(broker.queueCount()).as("queues holding a consumer or a message").isZero();
        });

        NettyLeakRecorder.leakCanary();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            NettyLeakRecorder.collectAndProbe();
            return NettyLeakRecorder.canaryReported();
        });
        assertThat(NettyLeakRecorder.leaks()).as("Netty buffer leaks").isEmpty();
    }

    private void cycle(int i, Ending ending) {
        String user = "user" + (i % USERS);
        int topic = i % TOPICS;
        String queue = "/queue/leak" + (i % QUEUES);
        try (RawStompClient c = RawStompClient.connectAs(port, user)) {
            if (ending == Ending.BEFORE_CONNECT) {
                return;
            }
            assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
            c.subscribe("t", i % 2 == 0 ? "/topic/leak." + topic + ".*" : "/topic/leak.#");
            c.subscribe("u", "/user/queue/inbox");
            c.subscribe("q", queue, "ack", "client-individual");
            c.sendText(send("/topic/leak." + topic + ".x", "topic " + i));
            c.sendText(send("/user/" + user + "/queue/inbox", "user " + i));
            c.sendText(send(queue, "queue " + i));
            c.sendText(send("/app/echo.leak", "app " + i));
            c.sendAndAwaitReceipt(send("/topic/leak." + topic + ".x", "last", "receipt", "r"), "r");
            List<StompFrame> queueMessages = receiveTopicAndUserMessages(c);
            switch (ending) {
                case DISCONNECT -> {
                    ack(c, queueMessages);
                    c.disconnect();
                }
                case ABRUPT_WITH_UNACKED -> c.close();
                case PROTOCOL_ERROR -> {
                    c.sendText("FOO\n\n\0");
                    assertThat(c.awaitClosed(RawStompClient.TIMEOUT)).as("closed after a protocol error").isTrue();
                }
                case ABRUPT_AFTER_ACK -> {
                    ack(c, queueMessages);
                    c.close();
                }
                case OPEN_TRANSACTION -> {
                    c.sendText(frame("BEGIN", "transaction", "tx"));
                    c.sendText(send("/topic/leak.tx", "pending", "transaction", "tx"));
                    c.close();
                }
                default -> throw new IllegalStateException(ending.name());
            }
        }
    }

    /** Reads until the topic and user messages of this cycle have arrived; returns the queue messages seen. */
    private static List<StompFrame> receiveTopicAndUserMessages(RawStompClient c) {
        List<StompFrame> queueMessages = new ArrayList<>();
        boolean topic = false;
        boolean user = false;
        while (!topic || !user) {
            StompFrame f = c.expectMessage();
            switch (f.header("subscription")) {
                case "t" -> topic = true;
                case "u" -> user = true;
                case "q" -> queueMessages.add(f);
                default -> throw new AssertionError("unexpected " + RawStompClient.describe(f));
            }
        }
        return queueMessages;
    }

    private static void ack(RawStompClient c, List<StompFrame> queueMessages) {
        for (StompFrame m : queueMessages) {
            c.sendText(frame("ACK", "id", m.header("ack")));
        }
    }
}
