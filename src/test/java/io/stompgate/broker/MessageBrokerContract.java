package io.stompgate.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * What every {@link MessageBroker} must do, whatever it runs on. Each
 * implementation runs this suite by extending it.
 */
public abstract class MessageBrokerContract {

    protected static final Duration WAIT = Duration.ofSeconds(10);

    protected MessageBroker broker;
    protected final BlockingQueue<String[]> topicDeliveries = new LinkedBlockingQueue<>();
    protected final BlockingQueue<String[]> userDeliveries = new LinkedBlockingQueue<>();
    /** Every topic and user delivery's message, whole, in arrival order. */
    protected final BlockingQueue<BrokerMessage> deliveredMessages = new LinkedBlockingQueue<>();

    private final java.util.List<String> queues = new java.util.ArrayList<>();

    /** A started-fresh broker, isolated from other tests' names. */
    protected abstract MessageBroker newBroker();

    /** Removes what a test left in the broker under shared-queue {@code name}. */
    protected void deleteQueue(String name) {
    }

    private String newQueue() {
        String name = unique("q");
        queues.add(name);
        return name;
    }

    /** Node messages of kind {@code test} this node received. */
    protected final BlockingQueue<NodeMessage> nodeMessages = new LinkedBlockingQueue<>();

    @BeforeEach
    void startBroker() {
        broker = newBroker();
        broker.onNodeMessages("test", nodeMessages::add);
        broker.start(new DeliveryListener() {
            @Override
            public void onTopicMessage(String key, BrokerMessage message) {
                deliveredMessages.add(message);
                topicDeliveries.add(new String[] {key, text(message), message.headers().get("content-type"),
                        message.headers().get("x-custom")});
            }

            @Override
            public void onUserMessage(String user, String queue, BrokerMessage message) {
                deliveredMessages.add(message);
                userDeliveries.add(new String[] {user, queue, text(message)});
            }
        }).block(WAIT);
    }

    @AfterEach
    void stopBroker() {
        broker.stop().block(WAIT);
        queues.forEach(this::deleteQueue);
    }

    protected static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static String text(BrokerMessage m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    private static BrokerMessage message(String body) {
        return new BrokerMessage(StompHeaders.of("content-type", "text/plain", "x-custom", "c1"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private Mono<Void> publish(Address address, String body) {
        return broker.publish(new Publication(address, message(body), "alice", "session-1"));
    }

    @Test
    void isUpOnceStarted() {
        assertThat(broker.isUp()).isTrue();
        assertThat(broker.status().blockFirst(WAIT)).isEqualTo(BrokerStatus.UP);
    }

    @Test
    void topicMessageMatchingABoundPatternReachesTheListenerWithItsHeaders() throws InterruptedException {
        String root = unique("c");
        broker.bindTopic(root + ".*").block(WAIT);
        publish(new Address.Topic(root + ".x"), "hello").block(WAIT);
        String[] delivery = topicDeliveries.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).containsExactly(root + ".x", "hello", "text/plain", "c1");
    }

    @Test
    void aNodeMessageReachesEveryNodeTheSenderIncluded() throws InterruptedException {
        byte[] body = "{\"node\":\"n1\"}".getBytes(StandardCharsets.UTF_8);
        broker.publish(new Publication(new Address.Nodes("test", 5000), new BrokerMessage(null, body), null, null))
                .block(WAIT);

        NodeMessage received = nodeMessages.poll(10, TimeUnit.SECONDS);
        assertThat(received).isNotNull();
        assertThat(received.kind()).isEqualTo("test");
        assertThat(received.fromNode()).isNotBlank();
        assertThat(received.body()).isEqualTo(body);
        assertThat(topicDeliveries).isEmpty();
    }

    /** The one forwarding policy ({@link ForwardedHeaders}): the same headers reach subscribers on every broker. */
    private static final StompHeaders SENDER_HEADERS = StompHeaders.of(
            "content-type", "text/plain", "x-custom", "c1", "stomp-x", "forged", "receipt-id", "r-9",
            "login", "alice", "passcode", "secret", "subscription", "sub-0", "message-id", "m-0", "priority", "5",
            "x-custom", "repeated");

    @Test
    void topicMessagesCarryExactlyTheForwardedHeaders() throws InterruptedException {
        String root = unique("h");
        broker.bindTopic(root + ".*").block(WAIT);
        broker.publish(new Publication(new Address.Topic(root + ".x"),
                new BrokerMessage(SENDER_HEADERS, "h".getBytes(StandardCharsets.UTF_8)), "alice", "session-1")).block(WAIT);
        BrokerMessage delivered = deliveredMessages.poll(10, TimeUnit.SECONDS);
        assertThat(delivered).isNotNull();
        assertThat(delivered.headers().names()).containsExactlyInAnyOrder("content-type", "x-custom", "priority");
        assertThat(delivered.headers().get("x-custom")).isEqualTo("c1");
    }

    @Test
    void userMessagesCarryExactlyTheForwardedHeaders() throws InterruptedException {
        String user = unique("hu");
        broker.bindUser(user).block(WAIT);
        broker.publish(new Publication(new Address.User(user, "inbox"),
                new BrokerMessage(SENDER_HEADERS, "h".getBytes(StandardCharsets.UTF_8)), "alice", "session-1")).block(WAIT);
        BrokerMessage delivered = deliveredMessages.poll(10, TimeUnit.SECONDS);
        assertThat(delivered).isNotNull();
        assertThat(delivered.headers().names()).containsExactlyInAnyOrder("content-type", "x-custom", "priority");
    }

    @Test
    void queueMessagesCarryExactlyTheForwardedHeaders() throws InterruptedException {
        String queue = newQueue();
        broker.publish(new Publication(new Address.Queue(queue),
                new BrokerMessage(SENDER_HEADERS, "h".getBytes(StandardCharsets.UTF_8)), "alice", "session-1")).block(WAIT);
        BlockingQueue<QueueDelivery> got = new LinkedBlockingQueue<>();
        QueueConsumer consumer = broker.consumeQueue(queue, 10, got::add).block(WAIT);
        QueueDelivery delivery = got.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).isNotNull();
        assertThat(delivery.message().headers().names()).containsExactlyInAnyOrder("content-type", "x-custom", "priority");
        delivery.ack();
        consumer.cancel().block(WAIT);
    }

    @Test
    void userMessageReachesTheListenerOnceTheUserIsBound() throws InterruptedException {
        String user = unique("u");
        broker.bindUser(user).block(WAIT);
        publish(new Address.User(user, "inbox"), "hi").block(WAIT);
        assertThat(userDeliveries.poll(10, TimeUnit.SECONDS)).containsExactly(user, "inbox", "hi");
    }

    @Test
    void queueMessageGoesToOneConsumerAndAckSettlesIt() throws InterruptedException {
        String queue = newQueue();
        publish(new Address.Queue(queue), "job").block(WAIT);
        BlockingQueue<QueueDelivery> got = new LinkedBlockingQueue<>();
        QueueConsumer consumer = broker.consumeQueue(queue, 10, got::add).block(WAIT);
        QueueDelivery delivery = got.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).isNotNull();
        assertThat(new String(delivery.message().body(), StandardCharsets.UTF_8)).isEqualTo("job");
        assertThat(delivery.message().headers().get("x-custom")).isEqualTo("c1");
        assertThat(delivery.redelivered()).isFalse();
        delivery.ack();
        consumer.cancel().block(WAIT);
        BlockingQueue<QueueDelivery> again = new LinkedBlockingQueue<>();
        QueueConsumer second = broker.consumeQueue(queue, 10, again::add).block(WAIT);
        assertThat(again.poll(500, TimeUnit.MILLISECONDS)).as("an acknowledged message is gone").isNull();
        second.cancel().block(WAIT);
    }

    @Test
    void rejectedWithRequeueComesBackRedelivered() throws InterruptedException {
        String queue = newQueue();
        publish(new Address.Queue(queue), "retry").block(WAIT);
        BlockingQueue<QueueDelivery> got = new LinkedBlockingQueue<>();
        QueueConsumer consumer = broker.consumeQueue(queue, 10, got::add).block(WAIT);
        got.poll(10, TimeUnit.SECONDS).reject(true);
        QueueDelivery again = got.poll(10, TimeUnit.SECONDS);
        assertThat(again).isNotNull();
        assertThat(again.redelivered()).isTrue();
        again.ack();
        consumer.cancel().block(WAIT);
    }

    @Test
    void cancellingAConsumerGivesItsUnacknowledgedMessagesToAnother() throws InterruptedException {
        String queue = newQueue();
        for (int i = 0; i < 3; i++) {
            publish(new Address.Queue(queue), "m" + i).block(WAIT);
        }
        BlockingQueue<QueueDelivery> first = new LinkedBlockingQueue<>();
        QueueConsumer c1 = broker.consumeQueue(queue, 10, first::add).block(WAIT);
        for (int i = 0; i < 3; i++) {
            assertThat(first.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
        BlockingQueue<QueueDelivery> second = new LinkedBlockingQueue<>();
        QueueConsumer c2 = broker.consumeQueue(queue, 10, second::add).block(WAIT);
        c1.cancel().block(WAIT);
        for (int i = 0; i < 3; i++) {
            QueueDelivery d = second.poll(10, TimeUnit.SECONDS);
            assertThat(d).as("redelivery %d", i).isNotNull();
            assertThat(d.redelivered()).isTrue();
            d.ack();
        }
        c2.cancel().block(WAIT);
    }

    @Test
    void prefetchLimitsUnacknowledgedDeliveries() throws InterruptedException {
        String queue = newQueue();
        publish(new Address.Queue(queue), "a").block(WAIT);
        publish(new Address.Queue(queue), "b").block(WAIT);
        BlockingQueue<QueueDelivery> got = new LinkedBlockingQueue<>();
        QueueConsumer consumer = broker.consumeQueue(queue, 1, got::add).block(WAIT);
        QueueDelivery first = got.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(got.poll(300, TimeUnit.MILLISECONDS)).as("held back by prefetch 1").isNull();
        first.ack();
        assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
        consumer.cancel().block(WAIT);
    }

    @Test
    void appMessageThatNothingHandlesFails() {
        assertThatThrownBy(() -> publish(new Address.App(unique("nobody")), "x").block(WAIT))
                .isInstanceOf(BrokerException.class);
    }

    @Test
    void stopIsIdempotent() {
        broker.stop().block(WAIT);
        broker.stop().block(WAIT);
    }
}
