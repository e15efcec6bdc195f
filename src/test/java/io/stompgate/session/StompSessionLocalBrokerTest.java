package io.stompgate.session;

import io.stompgate.broker.History;
import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.message;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.app.AppHandlers;
import io.stompgate.app.AppMessage;
import io.stompgate.app.AppMessageHandler;
import io.stompgate.broker.BrokerStatus;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.MessageBroker;
import io.stompgate.broker.HistoryStart;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.NodeMessageListener;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueListener;
import io.stompgate.broker.local.LocalBroker;
import io.stompgate.stomp.StompCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Sessions over the real in-JVM broker: what a client sees end to end on a single node. */
class StompSessionLocalBrokerTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final List<AppMessage> appMessages = new CopyOnWriteArrayList<>();
    final AppMessageHandler orders = new AppMessageHandler() {
        @Override
        public String pattern() {
            return "orders.*";
        }

        @Override
        public Mono<Void> handle(AppMessage message) {
            return Mono.fromRunnable(() -> appMessages.add(message));
        }
    };
    final LocalBroker broker = new LocalBroker("local-test", History.none(), new AppHandlers(() -> List.of(orders))::dispatch, 2);
    final LoopGuard guard = new LoopGuard(broker);
    final SessionHarness harness = new SessionHarness(guard);

    @Test
    void sendToATopicReachesEveryMatchingSubscriberIncludingTheSender() {
        TestClient alice = harness.open();
        TestClient bob = harness.open(Identity.of("bob"));
        List<Sent> bobSaw = bob.collect();
        bob.connect().subscribe("b", "/topic/chat.*");

        StepVerifier.create(alice.outbound())
                .then(() -> alice.connect().subscribe("a", "/topic/chat.#", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(() -> alice.sendMessage("/topic/chat.lobby", "hello", "receipt", "sent"))
                .assertNext(message("a", "/topic/chat.lobby", "hello"))
                .assertNext(receipt("sent"))
                .then(alice::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(bobSaw).filteredOn(s -> s.command() == StompCommand.MESSAGE)
                .singleElement().satisfies(message("b", "/topic/chat.lobby", "hello"));
    }

    @Test
    void sendToAUserReachesEverySessionOfThatUserOnItsPrivateQueue() {
        TestClient bobPhone = harness.open(Identity.of("bob"));
        TestClient bobLaptop = harness.open(Identity.of("bob"));
        TestClient alice = harness.open();
        List<Sent> phoneSaw = bobPhone.collect();
        List<Sent> laptopSaw = bobLaptop.collect();
        bobPhone.connect().subscribe("p", "/user/queue/inbox");
        bobLaptop.connect().subscribe("l", "/user/queue/inbox");

        StepVerifier.create(alice.outbound())
                .then(() -> alice.connect().subscribe("mine", "/user/queue/inbox")
                        .sendMessage("/user/bob/queue/inbox", "psst", "receipt", "sent"))
                .assertNext(connected())
                .assertNext(receipt("sent"))
                .then(alice::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(phoneSaw).filteredOn(s -> s.command() == StompCommand.MESSAGE)
                .singleElement().satisfies(message("p", "/user/queue/inbox", "psst"));
        assertThat(laptopSaw).filteredOn(s -> s.command() == StompCommand.MESSAGE)
                .singleElement().satisfies(message("l", "/user/queue/inbox", "psst"));
    }

    @Test
    void unacknowledgedQueueMessageOfAClosedSessionIsRedeliveredToAnother() {
        TestClient first = harness.open();
        TestClient second = harness.open(Identity.of("bob"));

        StepVerifier.create(first.outbound())
                .then(() -> first.connect().subscribe("q", "/queue/jobs", "ack", "client")
                        .sendMessage("/queue/jobs", "job-1", "receipt", "sent"))
                .assertNext(connected())
                .assertNext(sent -> {
                    assertThat(sent).satisfies(message("q", "/queue/jobs", "job-1"));
                    assertThat(sent.header("redelivered")).isNull();
                })
                .assertNext(receipt("sent"))
                .then(first::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(guard.loopsBroken)
                .as("times a message bounced between the queue and a closing consumer more than %d times", LoopGuard.LIMIT)
                .hasValue(0);
        assertThat(broker.readyCount("jobs")).isEqualTo(1);

        StepVerifier.create(second.outbound())
                .then(() -> second.connect().subscribe("q2", "/queue/jobs", "ack", "client-individual"))
                .assertNext(connected())
                .assertNext(sent -> {
                    assertThat(sent).satisfies(message("q2", "/queue/jobs", "job-1"));
                    assertThat(sent.header("redelivered")).isEqualTo("true");
                    second.send(StompCommand.ACK, "id", sent.header("ack"), "receipt", "acked");
                })
                .assertNext(receipt("acked"))
                .then(second::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(broker.queueCount()).as("an acknowledged, unconsumed queue is forgotten").isZero();
    }

    @Test
    void unsubscribeGivesUnacknowledgedMessagesBackToTheQueueOnce() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().subscribe("q", "/queue/jobs", "ack", "client-individual")
                        .sendMessage("/queue/jobs", "job-1"))
                .assertNext(connected())
                .assertNext(message("q", "/queue/jobs", "job-1"))
                .then(() -> client.send(StompCommand.UNSUBSCRIBE, "id", "q", "receipt", "gone"))
                .assertNext(receipt("gone"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(guard.loopsBroken).as("redelivery loops broken by the guard").hasValue(0);
        assertThat(broker.readyCount("jobs")).isEqualTo(1);
    }

    @Test
    void sendToAFullQueueGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect()
                        .sendMessage("/queue/backlog", "1")
                        .sendMessage("/queue/backlog", "2")
                        .sendMessage("/queue/backlog", "3"))
                .assertNext(connected())
                .assertNext(error("/queue/backlog", "queue 'backlog' is full"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.readyCount("backlog")).isEqualTo(2);
    }

    @Test
    void sendToAnAppDestinationReachesTheHandlerWithTheSender() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().sendMessage("/app/orders.create", "{}", "receipt", "r"))
                .assertNext(connected())
                .assertNext(receipt("r"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(appMessages).singleElement().satisfies(m -> {
            assertThat(m.key()).isEqualTo("orders.create");
            assertThat(m.user()).isEqualTo("alice");
            assertThat(m.sessionId()).isEqualTo(client.session.id());
            assertThat(m.bodyAsString()).isEqualTo("{}");
        });
    }

    @Test
    void sendToAnAppDestinationWithoutHandlerGetsErrorNamingIt() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect().sendMessage("/app/billing.pay", "{}", "receipt", "r"))
                .assertNext(connected())
                .assertNext(error("/app/billing.pay"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    /**
     * Passes everything to the local broker, but stops a delivery loop: a queue
     * consumer that gets more than {@link #LIMIT} deliveries in a row without
     * any other queue activity has its next delivery acknowledged (dropped)
     * instead of forwarded, so a livelock fails the test instead of hanging it.
     */
    static final class LoopGuard implements MessageBroker {
        static final int LIMIT = 1_000;

        final MessageBroker delegate;
        final AtomicInteger loopsBroken = new AtomicInteger();
        final AtomicInteger consecutive = new AtomicInteger();

        LoopGuard(MessageBroker delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<QueueConsumer> consumeQueue(String queue, int prefetch, QueueListener listener) {
            return delegate.consumeQueue(queue, prefetch, delivery -> {
                if (consecutive.incrementAndGet() > LIMIT) {
                    loopsBroken.incrementAndGet();
                    consecutive.set(0);
                    delivery.ack();
                    return;
                }
                listener.onDelivery(delivery);
            });
        }

        @Override
        public Mono<Void> publish(Publication publication) {
            consecutive.set(0);
            return delegate.publish(publication);
        }

        @Override
        public Mono<Void> start(DeliveryListener listener) {
            return delegate.start(listener);
        }

        @Override
        public Mono<Void> bindTopic(String pattern) {
            return delegate.bindTopic(pattern);
        }

        @Override
        public Mono<Void> unbindTopic(String pattern) {
            return delegate.unbindTopic(pattern);
        }

        @Override
        public Mono<Void> bindUser(String user) {
            return delegate.bindUser(user);
        }

        @Override
        public Mono<Void> unbindUser(String user) {
            return delegate.unbindUser(user);
        }

        @Override
        public Flux<BrokerStatus> status() {
            return delegate.status();
        }

        @Override
        public boolean isUp() {
            return delegate.isUp();
        }

        @Override
        public int maxQueueNameBytes() {
            return delegate.maxQueueNameBytes();
        }

        @Override
        public void onNodeMessages(String kind, NodeMessageListener listener) {
            delegate.onNodeMessages(kind, listener);
        }

        @Override
        public History history() {
            return delegate.history();
        }

        @Override
        public HistoryRead readHistory(HistoryStart start, HistoryReader reader) {
            return delegate.readHistory(start, reader);
        }

        @Override
        public Mono<Void> stop() {
            return delegate.stop();
        }
    }
}
