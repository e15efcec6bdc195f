package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.message;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.session.StubBroker.Call;
import io.stompgate.session.StubBroker.Op;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/** SUBSCRIBE and UNSUBSCRIBE: receipts that wait for the broker, rollback, limits, destinations, fan-out. */
class StompSessionSubscribeTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();
    final SessionHarness harness = new SessionHarness(broker);

    static BrokerMessage text(String body, String... headers) {
        return new BrokerMessage(StompHeaders.of(headers), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void subscribeReceiptWaitsUntilTheBrokerBindCompletes() {
        broker.holdBind("news.*");
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.subscribe("s1", "/topic/news.*", "receipt", "r1"))
                .then(() -> client.sendMessage("/topic/news.eu", "hello", "receipt", "r2"))
                .then(() -> {
                    assertThat(broker.calls(Op.BIND_TOPIC)).containsExactly(new Call(Op.BIND_TOPIC, "news.*"));
                    assertThat(client.receivedCount()).as("no RECEIPT while the bind is pending").isEqualTo(1);
                    assertThat(broker.publications()).as("the next frame waits for the SUBSCRIBE").isEmpty();
                })
                .then(() -> broker.completeBind("news.*"))
                .assertNext(receipt("r1"))
                .assertNext(receipt("r2"))
                .then(() -> assertThat(broker.publications()).hasSize(1))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void secondSubscriberOfAPatternBeingBoundAlsoWaitsForThatBind() {
        broker.holdBind("news.*");
        TestClient first = harness.open();
        TestClient second = harness.open(Identity.of("bob"));
        first.connect().subscribe("a", "/topic/news.*", "receipt", "ra");
        java.util.List<Sent> firstSaw = first.collect();

        StepVerifier.create(second.outbound())
                .then(second::connect)
                .assertNext(connected())
                .then(() -> second.subscribe("b", "/topic/news.*", "receipt", "rb"))
                .then(() -> {
                    assertThat(broker.calls(Op.BIND_TOPIC)).as("one binding per pattern").hasSize(1);
                    assertThat(second.receivedCount()).isEqualTo(1);
                })
                .then(() -> broker.completeBind("news.*"))
                .assertNext(receipt("rb"))
                .then(second::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(firstSaw).satisfiesExactly(connected(), receipt("ra"));
        assertThat(broker.calls(Op.UNBIND_TOPIC)).as("the first subscriber still needs the binding").isEmpty();
    }

    @Test
    void failedBindGetsErrorNamingTheDestinationAndRollsBack() {
        broker.refuseBinds("news.*", "exchange unavailable");
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.subscribe("s1", "/topic/news.*", "receipt", "r1"))
                .assertNext(error("/topic/news.*", "exchange unavailable"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.isOpen()).isFalse();
        assertThat(harness.registry.topicPatternCount()).isZero();
        assertThat(harness.registry.subscriptionCount()).isZero();
        assertThat(harness.registry.sessionCount()).isZero();
        assertThat(harness.registry.userCount()).isZero();
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.BROKER);

        // Nothing of the failed bind is left behind: the next subscriber binds afresh.
        broker.acceptBinds("news.*");
        TestClient next = harness.open(Identity.of("bob"));
        StepVerifier.create(next.outbound())
                .then(() -> next.connect().subscribe("s1", "/topic/news.*", "receipt", "r1"))
                .assertNext(connected())
                .assertNext(receipt("r1"))
                .then(next::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(broker.calls(Op.BIND_TOPIC)).hasSize(2);
    }

    @Test
    void bindThatFailsLaterGetsErrorAndReleasesTheOtherSubscriptions() {
        broker.holdBind("b");
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/topic/a", "receipt", "ra"))
                .assertNext(connected())
                .assertNext(receipt("ra"))
                .then(() -> client.subscribe("s2", "/topic/b", "receipt", "rb"))
                .then(() -> broker.failBind("b", "timed out"))
                .assertNext(error("could not subscribe to '/topic/b'", "timed out"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(harness.registry.topicPatternCount()).isZero();
        assertThat(broker.netTopicBindings()).containsEntry("a", 0);
        assertThat(broker.bindingHistory("alice")).containsExactly(Op.BIND_USER, Op.UNBIND_USER);
    }

    @Test
    void duplicateSubscriptionIdGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/topic/a", "receipt", "r1"))
                .assertNext(connected())
                .assertNext(receipt("r1"))
                .then(() -> client.subscribe("s1", "/topic/b"))
                .assertNext(error("subscription id 's1' is already in use"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.calls(Op.BIND_TOPIC)).containsExactly(new Call(Op.BIND_TOPIC, "a"));
        assertThat(broker.netTopicBindings()).containsExactly(java.util.Map.entry("a", 0));
    }

    @Test
    void oneSubscriptionMoreThanTheLimitGetsErrorThenClose() {
        SessionHarness limited = new SessionHarness(broker, SessionHarness.options(o -> o.maxSubscriptions = 2));
        TestClient client = limited.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .subscribe("s1", "/topic/a", "receipt", "r1")
                        .subscribe("s2", "/user/queue/inbox", "receipt", "r2")
                        .subscribe("s3", "/topic/c", "receipt", "r3"))
                .assertNext(connected())
                .assertNext(receipt("r1"))
                .assertNext(receipt("r2"))
                .assertNext(error("too many subscriptions", "2"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(limited.metrics.errors).containsExactly(ErrorReason.LIMIT);
        assertThat(broker.calls(Op.BIND_TOPIC)).containsExactly(new Call(Op.BIND_TOPIC, "a"));
        assertThat(broker.netTopicBindings()).containsEntry("a", 0);
        assertThat(limited.registry.subscriptionCount()).isZero();
    }

    @Test
    void unknownAckModeGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/queue/jobs", "ack", "sometimes"))
                .assertNext(connected())
                .assertNext(error("unknown ack mode 'sometimes'"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.calls(Op.CONSUME_QUEUE)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/app/orders", "/user/bob/queue/inbox", "/exchange/amq.topic/x", "/topic/"})
    void subscribeToADestinationThatCannotBeSubscribedGetsErrorNamingIt(String destination) {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", destination))
                .assertNext(connected())
                .assertNext(error("'" + destination + "'"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(harness.metrics.errors).containsExactly(ErrorReason.DESTINATION);
        assertThat(broker.calls(Op.BIND_TOPIC)).isEmpty();
    }

    @Test
    void unsubscribeWithReceiptRemovesTheSubscriptionAndItsBinding() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/topic/a.#", "receipt", "r1"))
                .assertNext(connected())
                .assertNext(receipt("r1"))
                .then(() -> assertThat(harness.registry.subscriptionCount()).isEqualTo(1))
                .then(() -> client.send(StompCommand.UNSUBSCRIBE, "id", "s1", "receipt", "r2"))
                .assertNext(receipt("r2"))
                .then(() -> {
                    assertThat(harness.registry.subscriptionCount()).isZero();
                    assertThat(harness.registry.topicPatternCount()).isZero();
                    assertThat(broker.bindingHistory("a.#")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);
                })
                .then(() -> harness.registry.onTopicMessage("a.b", text("late")))
                .then(() -> client.send(StompCommand.UNSUBSCRIBE, "id", "s1"))
                .assertNext(error("no subscription with id 's1'"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void broadcastReachesEveryMatchingSubscriptionWithTheConcreteDestination() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .subscribe("wild", "/topic/news.*")
                        .subscribe("all", "/topic/#")
                        .subscribe("other", "/topic/sports.*", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> harness.registry.onTopicMessage("news.eu",
                        text("{\"a\":1}", "content-type", "application/json", "x-trace", "t-1")))
                .recordWith(ArrayList::new)
                .expectNextCount(2)
                .consumeRecordedWith(messages -> {
                    Set<String> subscriptions = new HashSet<>();
                    Set<String> ids = new HashSet<>();
                    for (Sent m : messages) {
                        assertThat(m.command()).isEqualTo(StompCommand.MESSAGE);
                        assertThat(m.header("destination")).isEqualTo("/topic/news.eu");
                        assertThat(m.header("content-type")).isEqualTo("application/json");
                        assertThat(m.header("content-length")).isEqualTo("7");
                        assertThat(m.header("x-trace")).isEqualTo("t-1");
                        assertThat(m.header("ack")).as("no ack header for auto subscriptions").isNull();
                        assertThat(m.body()).isEqualTo("{\"a\":1}");
                        subscriptions.add(m.header("subscription"));
                        ids.add(m.header("message-id"));
                    }
                    assertThat(subscriptions).containsExactlyInAnyOrder("wild", "all");
                    assertThat(ids).as("message-ids are unique").hasSize(2);
                })
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void userQueueSubscriptionGetsMessagesForItsPrincipalWithoutAnotherBinding() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/user/queue/inbox", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> {
                    assertThat(broker.calls()).containsExactly(new Call(Op.BIND_USER, "alice"));
                    harness.registry.onUserMessage("bob", "inbox", text("not for alice"));
                    harness.registry.onUserMessage("alice", "other", text("not this queue"));
                    harness.registry.onUserMessage("alice", "inbox", text("hi alice"));
                })
                .assertNext(message("s1", "/user/queue/inbox", "hi alice"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void queueSubscriptionAcknowledgesThroughTheBroker() {
        TestClient client = harness.open();
        StubBroker.StubDelivery[] deliveries = new StubBroker.StubDelivery[2];

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/queue/jobs", "ack", "client-individual",
                        "prefetch-count", "5", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> deliveries[0] = broker.deliver("jobs", text("one")))
                .then(() -> deliveries[1] = broker.deliver("jobs", text("two")))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(message("s1", "/queue/jobs", "one"));
                    assertThat(sent.header("ack")).isEqualTo(sent.header("message-id"));
                    client.send(StompCommand.NACK, "id", sent.header("ack"));
                })
                .assertNext(sent -> client.send(StompCommand.ACK, "id", sent.header("ack"), "receipt", "acked"))
                .assertNext(receipt("acked"))
                .then(() -> {
                    assertThat(deliveries[0].rejectedWithRequeue).isTrue();
                    assertThat(deliveries[1].acked).isTrue();
                })
                .then(() -> client.send(StompCommand.ACK, "id", "made-up"))
                .assertNext(error("ACK for unknown message 'made-up'"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.calls(Op.CONSUME_QUEUE)).containsExactly(new Call(Op.CONSUME_QUEUE, "jobs"));
        assertThat(broker.calls(Op.CANCEL_CONSUMER)).containsExactly(new Call(Op.CANCEL_CONSUMER, "jobs"));
    }

    @Test
    void sessionClosedWhileItsBindIsPendingLeavesNoBinding() {
        broker.holdBind("news.*");
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/topic/news.*", "receipt", "r1"))
                .assertNext(connected())
                .then(client.session::transportClosed)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(broker.bindingHistory("news.*")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);

        broker.completeBind("news.*");

        assertThat(harness.registry.topicPatternCount()).isZero();
        assertThat(harness.registry.subscriptionCount()).isZero();
        assertThat(broker.bindingHistory("news.*")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);
        assertThat(client.received()).noneMatch(s -> s.command() == StompCommand.RECEIPT);
    }

    @Test
    void clientAckModeAcknowledgesEveryEarlierMessageToo() {
        TestClient client = harness.open();
        java.util.List<StubBroker.StubDelivery> deliveries = new java.util.ArrayList<>();
        String[] ackIds = new String[1];

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/queue/jobs", "ack", "client", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> {
                    for (String body : new String[] {"one", "two", "three"}) {
                        deliveries.add(broker.deliver("jobs", text(body)));
                    }
                })
                .assertNext(message("s1", "/queue/jobs", "one"))
                .assertNext(sent -> ackIds[0] = sent.header("ack"))
                .assertNext(message("s1", "/queue/jobs", "three"))
                .then(() -> client.send(StompCommand.ACK, "id", ackIds[0], "receipt", "acked"))
                .assertNext(receipt("acked"))
                .then(() -> assertThat(deliveries).extracting(d -> d.acked).containsExactly(true, true, false))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(deliveries.get(2).rejectedWithRequeue).as("the unacknowledged one goes back").isTrue();
    }

    @Test
    void stomp11ClientAcknowledgesByMessageId() {
        TestClient client = harness.open();
        StubBroker.StubDelivery[] delivery = new StubBroker.StubDelivery[1];

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("accept-version", "1.1")
                        .subscribe("s1", "/queue/jobs", "ack", "client-individual", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> delivery[0] = broker.deliver("jobs", text("job")))
                .assertNext(sent -> {
                    assertThat(sent.header("ack")).as("no ack header before STOMP 1.2").isNull();
                    client.send(StompCommand.ACK, "message-id", sent.header("message-id"), "subscription", "s1",
                            "receipt", "acked");
                })
                .assertNext(receipt("acked"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(delivery[0].acked).isTrue();
    }

    @Test
    void stomp10SubscriptionWithoutIdIsNamedByItsDestination() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.send(StompCommand.CONNECT, "host", "localhost")
                        .send(StompCommand.SUBSCRIBE, "destination", "/topic/a", "receipt", "r1"))
                .assertNext(connected())
                .assertNext(receipt("r1"))
                .then(() -> harness.registry.onTopicMessage("a", text("x")))
                .assertNext(message("/topic/a", "/topic/a", "x"))
                .then(() -> client.send(StompCommand.UNSUBSCRIBE, "destination", "/topic/a", "receipt", "r2"))
                .assertNext(receipt("r2"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.bindingHistory("a")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);
    }
}
