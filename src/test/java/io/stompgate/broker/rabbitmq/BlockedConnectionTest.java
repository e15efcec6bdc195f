package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.Publication;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.TestRabbit;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The broker stops reading from the node's socket (what RabbitMQ does under a memory or
 * disk alarm, while the connection stays up): the io thread blocks inside a publish, yet
 * every publish is still answered, confirmed or failed, within the operation timeout.
 */
@NeedsRabbitMQ
class BlockedConnectionTest {

    static final class HalfPausingProxy implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        volatile boolean upstreamPaused;

        HalfPausingProxy() throws Exception {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket c = server.accept();
                        Socket u = new Socket(TestRabbit.get().host(), TestRabbit.get().port());
                        c.setReceiveBufferSize(16 * 1024);
                        pump(c, u, true);
                        pump(u, c, false);
                    }
                }
                catch (Exception e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void pump(Socket from, Socket to, boolean upstream) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                        while (upstream && upstreamPaused) {
                            Thread.sleep(10);
                        }
                    }
                }
                catch (Exception e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws Exception {
            upstreamPaused = false;
            server.close();
        }
    }

    @Test
    void aBlockedConnectionStillAnswersEveryPublishWithinTheOperationTimeout() throws Exception {
        try (HalfPausingProxy proxy = new HalfPausingProxy()) {
            TestRabbit rabbit = TestRabbit.get();
            RabbitBroker broker = new RabbitBroker(RabbitBrokerOptions.defaults(
                    List.of(new RabbitBrokerOptions.Endpoint(proxy.server.getInetAddress().getHostAddress(),
                            proxy.server.getLocalPort())), rabbit.username(), rabbit.password(),
                    rabbit.virtualHost(), "blocked-" + UUID.randomUUID().toString().substring(0, 8))
                    .withOperationTimeout(Duration.ofSeconds(1)).withRequestedHeartbeat(Duration.ZERO));
            broker.start(RabbitBrokerFaultTest.NOOP).block(Duration.ofSeconds(10));
            proxy.upstreamPaused = true; // the broker "blocks" the connection: it stops reading

            byte[] body = new byte[60_000];
            AtomicInteger answered = new AtomicInteger();
            int n = 400; // ~24 MB: far more than the socket buffers hold
            for (int i = 0; i < n; i++) {
                broker.publish(new Publication(new Address.Topic("review.blocked"), new BrokerMessage(StompHeaders.EMPTY, body),
                        "u", "s")).onErrorResume(e -> Mono.empty()).doFinally(s -> answered.incrementAndGet()).subscribe();
            }
            Thread.sleep(6000); // six operation timeouts
            int got = answered.get();
            proxy.upstreamPaused = false;
            broker.stop().block(Duration.ofSeconds(20));
            assertThat(got).as("publishes answered (confirmed or failed) within 6 x operation-timeout").isEqualTo(n);
        }
    }
}
