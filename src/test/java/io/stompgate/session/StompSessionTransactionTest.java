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
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** BEGIN, COMMIT and ABORT: buffered SENDs and ACKs applied in order at COMMIT, or dropped. */
class StompSessionTransactionTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();
    final SessionHarness harness = new SessionHarness(broker);

    @Test
    void commitAppliesTheBufferedSendsAndAcksInOrder() {
        TestClient client = harness.open();
        StubBroker.StubDelivery[] delivery = new StubBroker.StubDelivery[1];

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("s1", "/queue/jobs", "ack", "client-individual", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> delivery[0] = broker.deliver("jobs",
                        new BrokerMessage(StompHeaders.EMPTY, "job".getBytes(StandardCharsets.UTF_8))))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(message("s1", "/queue/jobs", "job"));
                    client.send(StompCommand.BEGIN, "transaction", "tx1")
                            .sendMessage("/topic/a", "1", "transaction", "tx1")
                            .send(StompCommand.ACK, "id", sent.header("ack"), "transaction", "tx1")
                            .sendMessage("/topic/b", "2", "transaction", "tx1", "receipt", "buffered");
                })
                .assertNext(receipt("buffered"))
                .then(() -> {
                    assertThat(broker.publications()).as("nothing is published before COMMIT").isEmpty();
                    assertThat(delivery[0].acked).as("nothing is acknowledged before COMMIT").isFalse();
                })
                .then(() -> client.send(StompCommand.COMMIT, "transaction", "tx1", "receipt", "c"))
                .assertNext(receipt("c"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.calls()).filteredOn(c -> c.op() == Op.PUBLISH || c.op() == Op.ACK)
                .containsExactly(
                        new Call(Op.PUBLISH, "Topic[key=a]"),
                        new Call(Op.ACK, "job"),
                        new Call(Op.PUBLISH, "Topic[key=b]"));
    }

    @Test
    void commitReceiptWaitsUntilEveryPublishIsConfirmed() {
        broker.holdPublishes();
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .sendMessage("/topic/a", "1", "transaction", "tx1")
                        .sendMessage("/topic/a", "2", "transaction", "tx1")
                        .send(StompCommand.COMMIT, "transaction", "tx1", "receipt", "c"))
                .assertNext(connected())
                .then(() -> {
                    assertThat(broker.publications()).hasSize(2);
                    broker.completePublish(0);
                })
                .then(() -> assertThat(client.receivedCount()).as("one publish is still unconfirmed").isEqualTo(1))
                .then(() -> broker.completePublish(1))
                .assertNext(receipt("c"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void failedPublishAtCommitGetsErrorAndNoReceipt() {
        broker.holdPublishes();
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .sendMessage("/topic/a", "1", "transaction", "tx1")
                        .send(StompCommand.COMMIT, "transaction", "tx1", "receipt", "c"))
                .assertNext(connected())
                .then(() -> broker.failPublish(0, "nacked"))
                .assertNext(error("/topic/a", "nacked"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void abortDropsTheBufferedFrames() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .sendMessage("/topic/a", "1", "transaction", "tx1")
                        .send(StompCommand.ABORT, "transaction", "tx1", "receipt", "aborted"))
                .assertNext(connected())
                .assertNext(receipt("aborted"))
                .then(() -> assertThat(broker.publications()).isEmpty())
                .then(() -> client.send(StompCommand.COMMIT, "transaction", "tx1"))
                .assertNext(error("unknown transaction 'tx1'"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.publications()).isEmpty();
    }

    @Test
    void disconnectDropsOpenTransactions() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .sendMessage("/topic/a", "1", "transaction", "tx1")
                        .send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(connected())
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.publications()).isEmpty();
    }

    @Test
    void sendInAnUnknownTransactionGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().sendMessage("/topic/a", "1", "transaction", "nope"))
                .assertNext(connected())
                .assertNext(error("unknown transaction 'nope'"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.publications()).isEmpty();
    }

    @Test
    void commitOfAnUnknownTransactionGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().send(StompCommand.COMMIT, "transaction", "never-begun"))
                .assertNext(connected())
                .assertNext(error("unknown transaction 'never-begun'"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void beginningATransactionTwiceGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .send(StompCommand.BEGIN, "transaction", "tx1"))
                .assertNext(connected())
                .assertNext(error("transaction 'tx1' has already begun"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void transactionsHoldingMoreThanTheByteBudgetGetError() {
        SessionHarness limited = new SessionHarness(broker, SessionHarness.options(o -> o.maxTransactionBytes = 1_000));
        TestClient client = limited.open();
        String body = "x".repeat(400);

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .send(StompCommand.BEGIN, "transaction", "tx2")
                        .sendMessage("/topic/a", body, "transaction", "tx1")
                        .sendMessage("/topic/a", body, "transaction", "tx2"))
                .assertNext(connected())
                .assertNext(error("open transactions hold more than 1000 bytes"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.publications()).isEmpty();
    }

    @Test
    void committedAndAbortedTransactionsGiveTheirBytesBack() {
        SessionHarness limited = new SessionHarness(broker, SessionHarness.options(o -> o.maxTransactionBytes = 1_000));
        TestClient client = limited.open();
        String body = "x".repeat(400);

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .send(StompCommand.BEGIN, "transaction", "tx1")
                        .sendMessage("/topic/a", body, "transaction", "tx1")
                        .send(StompCommand.ABORT, "transaction", "tx1")
                        .send(StompCommand.BEGIN, "transaction", "tx2")
                        .sendMessage("/topic/a", body, "transaction", "tx2")
                        .send(StompCommand.COMMIT, "transaction", "tx2")
                        .send(StompCommand.BEGIN, "transaction", "tx3")
                        .sendMessage("/topic/a", body, "transaction", "tx3")
                        .send(StompCommand.COMMIT, "transaction", "tx3", "receipt", "done"))
                .assertNext(connected())
                .assertNext(receipt("done"))
                .thenCancel()
                .verify(TIMEOUT);

        assertThat(broker.publications()).hasSize(2);
    }
}
