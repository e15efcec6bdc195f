package io.stompgate.wire.protocol;

import static io.stompgate.testing.SpringStompClient.await;
import static io.stompgate.testing.SpringStompClient.receiptOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.SpringStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;

/**
 * The gateway driven by a real STOMP client: Spring's {@code DefaultStompSession}
 * (what {@code WebSocketStompClient} runs) through {@link SpringStompClient}.
 */
class SpringStompClientTest extends LocalGatewayTest {

    private final SpringStompClient spring = new SpringStompClient();

    @AfterEach
    void closeSpringClient() {
        spring.close();
    }

    /** A received MESSAGE: its headers and its payload converted to String. */
    record Received(StompHeaders headers, String payload) {
    }

    /** Collects MESSAGEs of one subscription. */
    static final class Inbox implements StompFrameHandler {
        final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return String.class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            messages.add(new Received(headers, (String) payload));
        }

        Received next() throws InterruptedException {
            Received r = messages.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("a MESSAGE within 10 s").isNotNull();
            return r;
        }
    }

    /** Records what Spring's session reports: ERROR frames and transport failures. */
    static final class Session extends StompSessionHandlerAdapter {
        final CompletableFuture<StompHeaders> error = new CompletableFuture<>();
        final CompletableFuture<Throwable> transportError = new CompletableFuture<>();

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            error.complete(headers);
        }

        @Override
        public void handleTransportError(StompSession session, Throwable exception) {
            transportError.complete(exception);
        }

        @Override
        public void handleException(StompSession session, StompCommand command, StompHeaders headers,
                byte[] payload, Throwable exception) {
            transportError.complete(exception);
        }
    }

    private StompSession connect(String user) {
        StompSession session = spring.connectAs(port, user, new Session());
        session.setAutoReceipt(true);
        return session;
    }

    @Test
    void springClientSubscribesSendsAndReceivesWithReceipts() throws Exception {
        StompSession alice = connect("alice");
        StompSession bob = connect("bob");
        Inbox inbox = new Inbox();
        await(receiptOf(alice.subscribe("/topic/spring.*", inbox)));

        StompHeaders headers = new StompHeaders();
        headers.setDestination("/topic/spring.news");
        headers.set("x-origin", "spring");
        await(receiptOf(bob.send(headers, "hello from Spring")));

        Received message = inbox.next();
        assertThat(message.payload()).isEqualTo("hello from Spring");
        assertThat(message.headers().getDestination()).isEqualTo("/topic/spring.news");
        assertThat(message.headers().getFirst("x-origin")).isEqualTo("spring");
        assertThat(message.headers().getContentType().toString()).startsWith("text/plain");
    }

    @Test
    void springClientNegotiatesStomp12AndItsUserName() {
        CompletableFuture<StompHeaders> connected = new CompletableFuture<>();
        spring.connectAs(port, "henry", new StompSessionHandlerAdapter() {
            @Override
            public void afterConnected(StompSession session, StompHeaders headers) {
                connected.complete(headers);
            }
        });

        StompHeaders headers = await(connected);
        assertThat(headers.getFirst("version")).isEqualTo("1.2");
        assertThat(headers.getFirst("user-name")).isEqualTo("henry");
    }

    @Test
    void springClientsOfOneUserShareTheirUserDestination() throws Exception {
        StompSession alice1 = connect("alice");
        StompSession alice2 = connect("alice");
        StompSession bob = connect("bob");
        Inbox inbox1 = new Inbox();
        Inbox inbox2 = new Inbox();
        await(receiptOf(alice1.subscribe("/user/queue/inbox", inbox1)));
        await(receiptOf(alice2.subscribe("/user/queue/inbox", inbox2)));

        await(receiptOf(bob.send("/user/alice/queue/inbox", "for both")));

        for (Inbox inbox : List.of(inbox1, inbox2)) {
            Received message = inbox.next();
            assertThat(message.payload()).isEqualTo("for both");
            assertThat(message.headers().getDestination()).isEqualTo("/user/queue/inbox");
        }
    }

    @Test
    void springClientAcknowledgesQueueMessages() throws Exception {
        StompSession producer = connect("producer");
        StompSession worker = connect("worker");
        String queue = queue();
        Inbox inbox = new Inbox();
        StompHeaders subscribe = new StompHeaders();
        subscribe.setDestination(queue);
        subscribe.setAck("client-individual");
        await(receiptOf(worker.subscribe(subscribe, inbox)));

        await(receiptOf(producer.send(queue, "job")));
        Received job = inbox.next();
        assertThat(job.headers().getAck()).isNotBlank();

        await(receiptOf(worker.acknowledge(job.headers().getAck(), true)));
    }

    @Test
    void springClientAppRequestGetsReply() throws Exception {
        StompSession alice = connect("alice");
        Inbox replies = new Inbox();
        await(receiptOf(alice.subscribe("/user/queue/replies", replies)));

        await(receiptOf(alice.send("/app/echo.spring", "question")));

        assertThat(replies.next().payload()).isEqualTo("echo: question");
    }

    @Test
    void springClientSeesErrorFrameAndLostConnection() {
        Session handler = new Session();
        StompSession session = spring.connectAs(port, "ivan", handler);

        session.subscribe("/app/not-subscribable", new Inbox());

        StompHeaders error = await(handler.error);
        assertThat(error.getFirst("message")).contains("/app");
        assertThat(await(handler.transportError)).isNotNull();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
    }
}
