package io.stompgate.broker.local;

import io.stompgate.broker.History;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.app.AppHandlers;
import io.stompgate.app.AppMessage;
import io.stompgate.app.AppMessageHandler;
import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.Publication;
import io.stompgate.broker.QueueConsumer;
import io.stompgate.broker.QueueDelivery;
import io.stompgate.broker.QueueListener;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The in-JVM broker: shared queues with competing consumers, acknowledgements and redelivery; topics; /app handlers. */
class LocalBrokerTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final List<String> topicMessages = new CopyOnWriteArrayList<>();
    final List<String> userMessages = new CopyOnWriteArrayList<>();
    final DeliveryListener listener = new DeliveryListener() {
        @Override
        public void onTopicMessage(String key, BrokerMessage message) {
            topicMessages.add(key + ":" + body(message));
        }

        @Override
        public void onUserMessage(String user, String queue, BrokerMessage message) {
            userMessages.add(user + "/" + queue + ":" + body(message));
        }
    };

    static String body(BrokerMessage message) {
        return new String(message.body(), StandardCharsets.UTF_8);
    }

    static LocalBroker started(int maxLength, AppMessageHandler... handlers) {
        LocalBroker broker = new LocalBroker("local-test", History.none(), new AppHandlers(() -> List.of(handlers))::dispatch, maxLength);
        broker.start(new DeliveryListener() {
            @Override
            public void onTopicMessage(String key, BrokerMessage message) {
            }

            @Override
            public void onUserMessage(String user, String queue, BrokerMessage message) {
            }
        }).block(TIMEOUT);
        return broker;
    }

    static Mono<Void> publish(LocalBroker broker, Address address, String body) {
        return broker.publish(new Publication(address,
                new BrokerMessage(StompHeaders.EMPTY, body.getBytes(StandardCharsets.UTF_8)), "alice", "s1"));
    }

    static void enqueue(LocalBroker broker, String queue, String... bodies) {
        for (String b : bodies) {
            publish(broker, new Address.Queue(queue), b).block(TIMEOUT);
        }
    }

    /** Records what one consumer receives; acknowledges nothing by itself. */
    static final class Recorder implements QueueListener {
        final List<QueueDelivery> deliveries = new CopyOnWriteArrayList<>();

        @Override
        public void onDelivery(QueueDelivery delivery) {
            deliveries.add(delivery);
        }

        List<String> bodies() {
            return deliveries.stream().map(d -> body(d.message())).toList();
        }

        List<Boolean> redelivered() {
            return deliveries.stream().map(QueueDelivery::redelivered).toList();
        }

        QueueDelivery get(int i) {
            return deliveries.get(i);
        }
    }

    static QueueConsumer consume(LocalBroker broker, String queue, int prefetch, QueueListener listener) {
        return broker.consumeQueue(queue, prefetch, listener).block(TIMEOUT);
    }

    @Test
    void competingConsumersTakeTurns() {
        LocalBroker broker = started(100);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        consume(broker, "jobs", 10, first);
        consume(broker, "jobs", 10, second);

        enqueue(broker, "jobs", "1", "2", "3", "4", "5");

        assertThat(first.bodies()).containsExactly("1", "3", "5");
        assertThat(second.bodies()).containsExactly("2", "4");
    }

    @Test
    void consumerNeverHoldsMoreThanItsPrefetch() {
        LocalBroker broker = started(100);
        enqueue(broker, "jobs", "1", "2", "3", "4", "5");
        Recorder recorder = new Recorder();

        consume(broker, "jobs", 2, recorder);

        assertThat(recorder.bodies()).containsExactly("1", "2");
        assertThat(broker.readyCount("jobs")).isEqualTo(3);
    }

    @Test
    void busyConsumerIsSkippedForOneWithRoom() {
        LocalBroker broker = started(100);
        Recorder full = new Recorder();
        Recorder free = new Recorder();
        consume(broker, "jobs", 1, full);
        consume(broker, "jobs", 10, free);

        enqueue(broker, "jobs", "1", "2", "3");

        assertThat(full.bodies()).containsExactly("1");
        assertThat(free.bodies()).containsExactly("2", "3");
    }

    @Test
    void acknowledgingFreesASlot() {
        LocalBroker broker = started(100);
        enqueue(broker, "jobs", "1", "2", "3");
        Recorder recorder = new Recorder();
        consume(broker, "jobs", 2, recorder);

        recorder.get(0).ack();

        assertThat(recorder.bodies()).containsExactly("1", "2", "3");
        assertThat(broker.readyCount("jobs")).isZero();

        recorder.get(0).ack();
        assertThat(recorder.bodies()).as("a second ack of the same delivery frees nothing").hasSize(3);
    }

    @Test
    void rejectWithRequeueRedeliversFirstMarkedRedelivered() {
        LocalBroker broker = started(100);
        enqueue(broker, "jobs", "1", "2");
        Recorder recorder = new Recorder();
        consume(broker, "jobs", 1, recorder);

        recorder.get(0).reject(true);

        assertThat(recorder.bodies()).containsExactly("1", "1");
        assertThat(recorder.redelivered()).containsExactly(false, true);
        assertThat(broker.readyCount("jobs")).isEqualTo(1);
    }

    @Test
    void rejectWithoutRequeueDropsTheMessage() {
        LocalBroker broker = started(100);
        enqueue(broker, "jobs", "1", "2");
        Recorder recorder = new Recorder();
        consume(broker, "jobs", 1, recorder);

        recorder.get(0).reject(false);

        assertThat(recorder.bodies()).containsExactly("1", "2");
        assertThat(recorder.redelivered()).containsExactly(false, false);
    }

    @Test
    void cancelRequeuesUnacknowledgedDeliveriesAtTheHeadInOrder() {
        LocalBroker broker = started(100);
        enqueue(broker, "jobs", "1", "2", "3", "4", "5");
        Recorder leaving = new Recorder();
        QueueConsumer consumer = consume(broker, "jobs", 3, leaving);
        leaving.get(1).ack();
        assertThat(leaving.bodies()).containsExactly("1", "2", "3", "4");

        StepVerifier.create(consumer.cancel()).verifyComplete();
        assertThat(broker.readyCount("jobs")).isEqualTo(4);

        Recorder next = new Recorder();
        consume(broker, "jobs", 10, next);
        assertThat(next.bodies()).containsExactly("1", "3", "4", "5");
        assertThat(next.redelivered()).containsExactly(true, true, true, false);
    }

    @Test
    void settlingAfterCancelDoesNothing() {
        LocalBroker broker = started(100);
        enqueue(broker, "jobs", "1");
        Recorder leaving = new Recorder();
        QueueConsumer consumer = consume(broker, "jobs", 1, leaving);
        consumer.cancel().block(TIMEOUT);

        leaving.get(0).ack();
        leaving.get(0).reject(true);

        assertThat(broker.readyCount("jobs")).as("the requeued copy stays, once").isEqualTo(1);
        StepVerifier.create(consumer.cancel()).as("cancel is idempotent").verifyComplete();
    }

    @Test
    void listenerMayAcknowledgeInsideItsCallback() {
        LocalBroker broker = started(100_000);
        List<String> seen = new ArrayList<>();
        consume(broker, "jobs", 1, delivery -> {
            seen.add(body(delivery.message()));
            delivery.ack();
        });

        for (int i = 0; i < 20_000; i++) {
            publish(broker, new Address.Queue("jobs"), Integer.toString(i)).block(TIMEOUT);
        }

        assertThat(seen).hasSize(20_000).startsWith("0", "1").endsWith("19999");
    }

    @Test
    void fullQueueRefusesNewMessages() {
        LocalBroker broker = started(2);
        enqueue(broker, "jobs", "1", "2");

        StepVerifier.create(publish(broker, new Address.Queue("jobs"), "3"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BrokerException.class)
                        .hasMessage("queue 'jobs' is full"))
                .verify(TIMEOUT);
        assertThat(broker.readyCount("jobs")).isEqualTo(2);

        Recorder recorder = new Recorder();
        consume(broker, "jobs", 1, recorder);
        StepVerifier.create(publish(broker, new Address.Queue("jobs"), "3")).as("room again").verifyComplete();
    }

    @Test
    void idleQueuesAreForgotten() {
        LocalBroker broker = started(100);
        enqueue(broker, "once", "1");
        assertThat(broker.queueCount()).isEqualTo(1);

        Recorder recorder = new Recorder();
        QueueConsumer consumer = consume(broker, "once", 5, recorder);
        recorder.get(0).ack();
        assertThat(broker.queueCount()).as("a consumer keeps its queue").isEqualTo(1);

        consumer.cancel().block(TIMEOUT);
        assertThat(broker.queueCount()).isZero();

        QueueConsumer idle = consume(broker, "nothing", 5, new Recorder());
        assertThat(broker.queueCount()).isEqualTo(1);
        idle.cancel().block(TIMEOUT);
        assertThat(broker.queueCount()).isZero();

        enqueue(broker, "once", "again");
        assertThat(broker.readyCount("once")).as("a forgotten queue comes back on use").isEqualTo(1);
    }

    @Test
    void messagesLeftInAQueueKeepItWhenItsConsumerLeaves() {
        LocalBroker broker = started(100);
        Recorder recorder = new Recorder();
        QueueConsumer consumer = consume(broker, "jobs", 5, recorder);
        enqueue(broker, "jobs", "1");

        consumer.cancel().block(TIMEOUT);

        assertThat(broker.queueCount()).isEqualTo(1);
        assertThat(broker.readyCount("jobs")).isEqualTo(1);
    }

    @Test
    void topicAndUserMessagesGoStraightToTheListener() {
        LocalBroker broker = new LocalBroker("local-test", History.none(), new AppHandlers(List::of)::dispatch, 10);
        broker.start(listener).block(TIMEOUT);

        publish(broker, new Address.Topic("news.eu"), "t").block(TIMEOUT);
        publish(broker, new Address.User("bob", "inbox"), "u").block(TIMEOUT);

        assertThat(topicMessages).containsExactly("news.eu:t");
        assertThat(userMessages).containsExactly("bob/inbox:u");
    }

    @Test
    void publishBeforeStartFails() {
        LocalBroker broker = new LocalBroker("local-test", History.none(), new AppHandlers(List::of)::dispatch, 10);

        StepVerifier.create(publish(broker, new Address.Topic("a"), "x"))
                .expectError(BrokerException.class)
                .verify(TIMEOUT);
    }

    // ------------------------------------------------------------------ /app

    static final class RecordingHandler implements AppMessageHandler {
        final String pattern;
        final List<AppMessage> handled = new CopyOnWriteArrayList<>();
        final Mono<Void> outcome;

        RecordingHandler(String pattern, Mono<Void> outcome) {
            this.pattern = pattern;
            this.outcome = outcome;
        }

        @Override
        public String pattern() {
            return pattern;
        }

        @Override
        public Mono<Void> handle(AppMessage message) {
            handled.add(message);
            return outcome;
        }
    }

    @Test
    void appMessageWithoutAHandlerFails() {
        LocalBroker broker = started(10, new RecordingHandler("chat.*", Mono.empty()));

        StepVerifier.create(publish(broker, new Address.App("billing.pay"), "{}"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BrokerException.class)
                        .hasMessageContaining("/app/billing.pay"))
                .verify(TIMEOUT);
    }

    @Test
    void appMessageGoesToTheHandlerWhosePatternMatches() {
        RecordingHandler chat = new RecordingHandler("chat.*", Mono.empty());
        RecordingHandler orders = new RecordingHandler("orders.#", Mono.empty());
        LocalBroker broker = started(10, chat, orders);

        StepVerifier.create(publish(broker, new Address.App("orders.eu.new"), "o")).verifyComplete();
        StepVerifier.create(publish(broker, new Address.App("chat.lobby"), "c")).verifyComplete();
        StepVerifier.create(publish(broker, new Address.App("chat.lobby.extra"), "x"))
                .as("chat.* takes one word only")
                .expectError(BrokerException.class)
                .verify(TIMEOUT);

        assertThat(orders.handled).singleElement().satisfies(m -> {
            assertThat(m.key()).isEqualTo("orders.eu.new");
            assertThat(m.user()).isEqualTo("alice");
            assertThat(m.sessionId()).isEqualTo("s1");
            assertThat(m.bodyAsString()).isEqualTo("o");
        });
        assertThat(chat.handled).extracting(AppMessage::key).containsExactly("chat.lobby");
    }

    @Test
    void failingAppHandlerBecomesABrokerExceptionWithoutInternals() {
        LocalBroker broker = started(10, new RecordingHandler("#", Mono.error(new IllegalStateException("db password wrong"))));

        StepVerifier.create(publish(broker, new Address.App("anything"), "{}"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BrokerException.class)
                        .hasMessage("the application failed to handle the message"))
                .verify(TIMEOUT);
    }

    @Test
    void appHandlerBrokerExceptionReachesTheSenderAsIs() {
        LocalBroker broker = started(10, new RecordingHandler("#", Mono.error(new BrokerException("order rejected: out of stock"))));

        StepVerifier.create(publish(broker, new Address.App("orders.new"), "{}"))
                .expectErrorMessage("order rejected: out of stock")
                .verify(TIMEOUT);
    }
}
