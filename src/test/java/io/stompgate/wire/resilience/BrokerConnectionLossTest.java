package io.stompgate.wire.resilience;

import static io.stompgate.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.MessageBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.TcpProxy;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node loses its RabbitMQ connection (an in-test TCP proxy is cut, the shared
 * broker is never restarted) and gets it back: sessions stay open, the node
 * restores its queue and bindings by itself, and delivery resumes without the
 * client doing anything.
 */
@NeedsRabbitMQ
class BrokerConnectionLossTest {

    TcpProxy proxy;
    GatewayNode behindProxy;
    GatewayNode direct;

    @BeforeEach
    void start() throws Exception {
        proxy = TcpProxy.toRabbit();
        behindProxy = GatewayNode.startRabbitThrough(proxy, "gateway.broker.operation-timeout=3s");
        direct = GatewayNode.startRabbit();
    }

    @AfterEach
    void stop() {
        behindProxy.close();
        direct.close();
        proxy.close();
    }

    @Test
    void subscriptionsDeliverAgainAfterTheBrokerComesBackWithoutClientAction() {
        String topic = "/topic/loss" + UUID.randomUUID().toString().substring(0, 8);
        MessageBroker broker = behindProxy.bean(MessageBroker.class);
        try (RawStompClient subscriber = behindProxy.client("sub"); RawStompClient publisher = direct.client("pub")) {
            subscriber.connectStomp();
            publisher.connectStomp();
            subscriber.sendText("SUBSCRIBE\nid:s\ndestination:" + topic + "\nreceipt:r\n\n\0");
            assertThat(subscriber.next().command()).isEqualTo(StompCommand.RECEIPT);
            publisher.sendText("SEND\ndestination:" + topic + "\n\nbefore\0");
            assertThat(RawStompClient.text(subscriber.next())).isEqualTo("before");

            assertThat(status(behindProxy, "/actuator/health/readiness")).isEqualTo(200);
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            assertThat(status(behindProxy, "/actuator/health/readiness")).as("not ready without the broker").isEqualTo(503);
            assertThat(status(behindProxy, "/actuator/health/liveness")).as("but alive").isEqualTo(200);
            publisher.sendText("SEND\ndestination:" + topic + "\n\nduring\0");
            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).until(broker::isUp);
            await().atMost(Duration.ofSeconds(5)).until(() -> status(behindProxy, "/actuator/health/readiness") == 200);
            assertThat(body(behindProxy, "/actuator/prometheus"))
                    .contains("stomp_broker_reconnects_total{node=\"" + behindProxy.nodeId() + "\"} 1.0");

            publisher.sendText("SEND\ndestination:" + topic + "\n\nafter\0");
            StompFrame next = subscriber.expect(f -> f.command() == StompCommand.MESSAGE
                    && "after".equals(RawStompClient.text(f)), Duration.ofSeconds(10));
            assertThat(next.header("subscription")).isEqualTo("s");
            assertThat(subscriber.isOpen()).isTrue();
        }
    }

    static int status(GatewayNode node, String path) {
        return get(node, path).statusCode();
    }

    static String body(GatewayNode node, String path) {
        return get(node, path).body();
    }

    private static java.net.http.HttpResponse<String> get(GatewayNode node, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + node.port() + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        }
        catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSendDuringAShortOutageIsConfirmedOnceTheBrokerIsBack() {
        String topic = "/topic/short" + UUID.randomUUID().toString().substring(0, 8);
        MessageBroker broker = behindProxy.bean(MessageBroker.class);
        try (RawStompClient sender = behindProxy.client("s"); RawStompClient reader = direct.client("r")) {
            sender.connectStomp();
            reader.connectStomp();
            reader.sendText("SUBSCRIBE\nid:s\ndestination:" + topic + "\nreceipt:r\n\n\0");
            assertThat(reader.next().command()).isEqualTo(StompCommand.RECEIPT);
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            sender.sendText("SEND\ndestination:" + topic + "\nreceipt:during\n\nparked\0");
            proxy.restore();
            StompFrame answer = sender.next(Duration.ofSeconds(10));
            assertThat(answer).isNotNull();
            assertThat(answer.command()).as("answer: %s", answer.header("message")).isEqualTo(StompCommand.RECEIPT);
            assertThat(RawStompClient.text(reader.next())).isEqualTo("parked");
        }
    }

    @Test
    void aSendThatOutlivesTheOperationTimeoutGetsAnErrorNotSilence() {
        MessageBroker broker = behindProxy.bean(MessageBroker.class);
        try (RawStompClient sender = behindProxy.client("s")) {
            sender.connectStomp();
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            sender.sendText("SEND\ndestination:/topic/nowhere\nreceipt:r\n\nlost?\0");
            StompFrame answer = sender.next(Duration.ofSeconds(10));
            assertThat(answer).isNotNull();
            assertError(answer, "broker unavailable");
            assertThat(sender.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
        finally {
            proxy.restore();
        }
    }
}
