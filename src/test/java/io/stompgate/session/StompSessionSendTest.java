package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.Address;
import io.stompgate.broker.Publication;
import io.stompgate.session.StubBroker.Op;
import io.stompgate.stomp.StompCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Hooks;
import reactor.test.StepVerifier;

/** SEND: receipts after the broker's confirmation, failures that are never silent, ordering, destinations. */
class StompSessionSendTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();
    final SessionHarness harness = new SessionHarness(broker);

    @Test
    void sendReceiptOnlyAfterTheBrokerConfirmsThePublish() {
        broker.holdPublishes();
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/topic/prices.eu", "42", "receipt", "r1", "x-source", "feed"))
                .then(() -> {
                    assertThat(broker.publications()).hasSize(1);
                    assertThat(client.receivedCount()).as("no RECEIPT before the confirm").isEqualTo(1);
                })
                .then(() -> broker.completePublish(0))
                .assertNext(receipt("r1"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        Publication p = broker.publications().get(0);
        assertThat(p.address()).isEqualTo(new Address.Topic("prices.eu"));
        assertThat(p.user()).isEqualTo("alice");
        assertThat(p.sessionId()).isEqualTo(client.session.id());
        assertThat(new String(p.message().body(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(p.message().headers().get("x-source")).isEqualTo("feed");
        assertThat(p.message().headers().names())
                .as("frame-level headers are not passed on")
                .doesNotContain("destination", "receipt", "content-length");
    }

    @Test
    void failedPublishGetsErrorAndCloses() {
        broker.holdPublishes();
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/topic/prices.eu", "42", "receipt", "r1"))
                .then(() -> broker.failPublish(0, "publisher confirm nacked"))
                .assertNext(error("/topic/prices.eu", "publisher confirm nacked"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(CloseReason.BROKER_FAILURE);
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.BROKER);
        assertThat(client.received()).noneMatch(s -> s.command() == StompCommand.RECEIPT);
    }

    @AfterEach
    void resetHooks() {
        Hooks.resetOnErrorDropped();
    }

    @Test
    void failedPublishIsHandledWithoutDroppingAnErrorIntoReactor() {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        broker.refusePublishes("broker unavailable");
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().sendMessage("/topic/a", "1", "receipt", "r"))
                .assertNext(connected())
                .assertNext(error("/topic/a", "broker unavailable"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(dropped).as("errors that reached Reactor's onErrorDropped hook").isEmpty();
    }

    @Test
    void publishRefusedAtOnceWithoutReceiptRequestedStillGetsError() {
        broker.refusePublishes("broker unavailable");
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/queue/jobs", "work"))
                .assertNext(error("/queue/jobs", "broker unavailable"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void sendsArePublishedInFrameOrderWithoutWaitingForEachConfirm() {
        broker.holdPublishes();
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/topic/t", "1", "receipt", "r1")
                        .sendMessage("/topic/t", "2", "receipt", "r2")
                        .sendMessage("/topic/t", "3", "receipt", "r3"))
                .then(() -> assertThat(broker.publications())
                        .extracting(p -> new String(p.message().body(), StandardCharsets.UTF_8))
                        .containsExactly("1", "2", "3"))
                .then(() -> broker.completePublish(0))
                .assertNext(receipt("r1"))
                .then(() -> broker.completePublish(1))
                .assertNext(receipt("r2"))
                .then(() -> broker.completePublish(2))
                .assertNext(receipt("r3"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void stopsReadingWhileTooManySendsAwaitConfirmation() {
        SessionHarness limited = new SessionHarness(broker, SessionHarness.options(o -> o.maxInflightSends = 2));
        broker.holdPublishes();
        TestClient client = limited.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/topic/t", "1").sendMessage("/topic/t", "2").sendMessage("/topic/t", "3"))
                .then(() -> assertThat(broker.publications()).as("the third SEND waits for a free slot").hasSize(2))
                .then(() -> broker.completePublish(0))
                .then(() -> assertThat(broker.publications()).hasSize(3))
                .then(() -> {
                    broker.completePublish(1);
                    broker.completePublish(2);
                })
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @ParameterizedTest
    @CsvSource({
            "/topic/news,                 'Topic[key=news]'",
            "/queue/jobs,                 'Queue[name=jobs]'",
            "/app/orders.create,          'App[key=orders.create]'",
            "/user/bob/queue/inbox,       'User[user=bob, queue=inbox]'",
            "/user/dept%2Fbob/queue/inbox, 'User[user=dept/bob, queue=inbox]'"})
    void sendPublishesToTheAddressItsDestinationNames(String destination, String address) {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().sendMessage(destination, "x", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.publications()).singleElement().extracting(Publication::address).hasToString(address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/topic/news.*", "/topic/#", "/topic/a.#.b", "/user/queue/inbox", "/user/bob",
            "/exchange/amq.topic/x", "/temp-queue/x", "/queue/"})
    void sendToADestinationThatCannotBeSentToGetsErrorNamingIt(String destination) {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().sendMessage(destination, "x", "receipt", "r"))
                .assertNext(connected())
                .assertNext(error("'" + destination + "'"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.calls(Op.PUBLISH)).isEmpty();
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.DESTINATION);
    }
}
