package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.session.StubBroker.Call;
import io.stompgate.session.StubBroker.Op;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

/** How sessions end: DISCONNECT, slow consumers, and the release of everything a closed session held. */
class StompSessionCloseTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();

    static BrokerMessage text(String body) {
        return new BrokerMessage(StompHeaders.EMPTY, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void disconnectReceiptFollowsTheInflightSendsThenTheOutboundCompletes() {
        SessionHarness harness = new SessionHarness(broker);
        broker.holdPublishes();
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .sendMessage("/topic/a", "1", "receipt", "r1")
                        .sendMessage("/topic/a", "2")
                        .send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(connected())
                .then(() -> assertThat(client.receivedCount()).isEqualTo(1))
                .then(() -> broker.completePublish(0))
                .assertNext(receipt("r1"))
                .then(() -> assertThat(client.session.isOpen()).as("the second SEND is unconfirmed").isTrue())
                .then(() -> broker.completePublish(1))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(CloseReason.CLIENT_DISCONNECT);
        assertThat(client.readingEnded()).isTrue();
        assertThat(harness.registry.sessionCount()).isZero();
    }

    @Test
    void disconnectWithoutReceiptCompletesTheOutbound() {
        SessionHarness harness = new SessionHarness(broker);
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().send(StompCommand.DISCONNECT))
                .assertNext(connected())
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void slowConsumerIsClosedWithErrorAndItsBacklogDropped() {
        SessionHarness harness = new SessionHarness(broker, SessionHarness.options(o -> o.outboundFrames = 8));
        TestClient slow = harness.open();
        TestClient fast = harness.open(Identity.of("bob"));
        slow.connect().subscribe("s1", "/topic/ticks", "receipt", "r");
        List<Sent> fastSaw = fast.collect();
        fast.connect().subscribe("f1", "/topic/ticks");

        StepVerifier.create(slow.outbound(), 2)
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> {
                    for (int i = 1; i <= 8; i++) {
                        harness.registry.onTopicMessage("ticks", text("tick " + i));
                    }
                })
                .then(() -> assertThat(slow.session.isOpen()).as("8 waiting frames fit").isTrue())
                .then(() -> harness.registry.onTopicMessage("ticks", text("tick 9")))
                .then(() -> {
                    assertThat(slow.session.isOpen()).isFalse();
                    assertThat(slow.session.closeReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
                    assertThat(harness.metrics.slowConsumerDisconnects).hasValue(1);
                    assertThat(harness.metrics.errors).containsExactly(ErrorReason.SLOW_CONSUMER);
                })
                .thenRequest(Long.MAX_VALUE)
                .assertNext(error("slow consumer"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(fastSaw).as("the other session keeps its pace").filteredOn(s -> s.command() == StompCommand.MESSAGE)
                .hasSize(9);
        assertThat(fast.session.isOpen()).isTrue();
        assertThat(harness.registry.sessionCount()).isEqualTo(1);
        assertThat(harness.registry.subscriptionCount()).isEqualTo(1);
        assertThat(broker.calls(Op.UNBIND_TOPIC)).as("bob still subscribes to the pattern").isEmpty();
    }

    @Test
    void outboundSubscribedAfterTheSessionClosedStillCompletes() {
        SessionHarness harness = new SessionHarness(broker);
        TestClient client = harness.open();
        client.connect().closeTransport();
        assertThat(client.session.isOpen()).isFalse();

        StepVerifier.create(client.outbound())
                .assertNext(connected())
                .expectComplete()
                .verify(TIMEOUT);
    }

    /** Every way a session ends. */
    enum Ending {
        DISCONNECT(c -> c.send(StompCommand.DISCONNECT), CloseReason.CLIENT_DISCONNECT),
        TRANSPORT_CLOSED(TestClient::closeTransport, CloseReason.TRANSPORT_CLOSED),
        PROTOCOL_ERROR(c -> c.send(StompCommand.UNSUBSCRIBE, "id", "no-such"), CloseReason.PROTOCOL_ERROR),
        NODE_SHUTDOWN(c -> c.session.close(CloseReason.SHUTDOWN, ErrorReason.SHUTDOWN, "server shutting down"),
                CloseReason.SHUTDOWN);

        final Consumer<TestClient> action;
        final CloseReason reason;

        Ending(Consumer<TestClient> action, CloseReason reason) {
            this.action = action;
            this.reason = reason;
        }
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void closedSessionLeavesNothingInTheRegistryOrAtTheBroker(Ending ending) {
        SessionHarness harness = new SessionHarness(broker);
        TestClient client = harness.open();
        StubBroker.StubDelivery[] pending = new StubBroker.StubDelivery[1];

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .subscribe("t1", "/topic/news.*")
                        .subscribe("t2", "/topic/sports.#")
                        .subscribe("t3", "/topic/news.*x")
                        .subscribe("u1", "/user/queue/inbox")
                        .subscribe("q1", "/queue/jobs", "ack", "client", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> pending[0] = broker.deliver("jobs", text("unacknowledged")))
                .assertNext(Expect.command(StompCommand.MESSAGE))
                .then(() -> {
                    assertThat(harness.registry.sessionCount()).isEqualTo(1);
                    assertThat(harness.registry.subscriptionCount()).isEqualTo(5);
                    assertThat(harness.registry.topicPatternCount()).isEqualTo(3);
                    assertThat(harness.registry.userCount()).isEqualTo(1);
                })
                .then(() -> ending.action.accept(client))
                .thenConsumeWhile(s -> s.command() == StompCommand.ERROR)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(ending.reason);
        assertThat(client.readingEnded()).isTrue();
        assertThat(harness.registry.sessionCount()).isZero();
        assertThat(harness.registry.subscriptionCount()).isZero();
        assertThat(harness.registry.topicPatternCount()).isZero();
        assertThat(harness.registry.userCount()).isZero();
        assertThat(broker.netTopicBindings())
                .containsOnlyKeys("news.*", "sports.#", "news.*x")
                .allSatisfy((pattern, net) -> assertThat(net).as("net binding of %s", pattern).isZero());
        assertThat(broker.bindingHistory("alice")).containsExactly(Op.BIND_USER, Op.UNBIND_USER);
        assertThat(broker.calls(Op.CANCEL_CONSUMER)).containsExactly(new Call(Op.CANCEL_CONSUMER, "jobs"));
        assertThat(pending[0].rejectedWithRequeue).as("the unacknowledged delivery goes back to the queue").isTrue();
    }
}
