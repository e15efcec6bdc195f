package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.MessageBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.ApiClient;
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
 * The server API while a node's broker connection is away (an in-test TCP proxy is cut):
 * a publish waits {@code gateway.broker.operation-timeout}, then gets 503, and its message
 * reaches nobody, then or after the broker is back.
 */
@NeedsRabbitMQ
class ServerApiBrokerOutageTest {

    private static final String KEY = "outage-test-key-" + UUID.randomUUID();

    TcpProxy proxy;
    GatewayNode behindProxy;
    GatewayNode direct;

    @BeforeEach
    void start() throws Exception {
        proxy = TcpProxy.toRabbit();
        behindProxy = GatewayNode.startRabbitThrough(proxy, "gateway.broker.operation-timeout=1s", "gateway.api.key=" + KEY);
        direct = GatewayNode.startRabbit();
    }

    @AfterEach
    void stop() {
        behindProxy.close();
        direct.close();
        proxy.close();
    }

    private static String request(String destination, String body) {
        return "{\"destination\":\"" + destination + "\",\"body\":\"" + body + "\"}";
    }

    @Test
    void publishWhileTheBrokerIsAwayGets503AfterTheOperationTimeoutAndReachesNobody() {
        String topic = "/topic/api-outage." + UUID.randomUUID().toString().substring(0, 8);
        MessageBroker broker = behindProxy.bean(MessageBroker.class);
        try (RawStompClient reader = direct.client("reader")) {
            assertThat(reader.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
            reader.subscribe("s", topic);
            assertThat(ApiClient.publish(behindProxy.port(), KEY, request(topic, "before")).status()).isEqualTo(200);
            assertThat(RawStompClient.text(reader.next(Duration.ofSeconds(10)))).isEqualTo("before");

            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.isUp());
            long start = System.nanoTime();
            ApiClient.Response during = ApiClient.publish(behindProxy.port(), KEY, request(topic, "during"));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(during.status()).as(during.body()).isEqualTo(503);
            assertThat(during.body())
                    .isEqualTo("{\"error\":\"message not accepted: broker unavailable: publish not done within 1000 ms\"}");
            assertThat(elapsedMs).as("waited for the broker for the operation timeout").isBetween(900L, 5_000L);

            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).until(broker::isUp);
            await().atMost(Duration.ofSeconds(15)).until(
                    () -> ApiClient.publish(behindProxy.port(), KEY, request(topic, "after")).status() == 200);

            StompFrame next = reader.next(Duration.ofSeconds(10));
            assertThat(next.command()).isEqualTo(StompCommand.MESSAGE);
            assertThat(RawStompClient.text(next)).as("the refused message never arrives").isEqualTo("after");
            assertThat(reader.next(Duration.ofSeconds(1))).as("nothing after it").isNull();
        }
    }
}
