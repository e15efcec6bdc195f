package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.TestRabbit;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node dies without warning: its process gets SIGKILL (no drain, no goodbye to
 * RabbitMQ). The messages its clients held unacknowledged go to the consumers on
 * the other node, and its node queue is deleted by RabbitMQ once its x-expires has passed.
 */
@NeedsRabbitMQ
class NodeKilledTest {

    @Test
    void unacknowledgedMessagesOfAKilledNodeGoToTheOtherNodesConsumers() throws Exception {
        String queueName = "killed" + UUID.randomUUID().toString().substring(0, 8);
        String victimId = "victim-" + UUID.randomUUID().toString().substring(0, 8);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("victim", ".log");
        ProcessBuilder victimProcess = new ProcessBuilder(javaBin(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.stompgate.GatewayApplication", "--server.port=" + port, "--gateway.broker=rabbitmq",
                "--gateway.node-id=" + victimId,
                // A killed node's queue outlives it by x-expires (docs/protocol.md §5.2): short here.
                "--gateway.rabbitmq.node-queue.expires=3s")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        victimProcess.environment().putAll(TestRabbit.get().gatewayEnvironment());
        Process victim = victimProcess.start();
        try (GatewayNode survivor = GatewayNode.startRabbit(); Rabbit rabbit = Rabbit.connect()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> healthy(port));
            assertThat(Rabbit.queueExists("stomp.node." + victimId)).isTrue();

            int n = 20;
            RawStompClient holder = RawStompClient.connectAs(port, "holder");
            holder.connectStomp();
            holder.sendAndAwaitReceipt("SUBSCRIBE\nid:q\ndestination:/queue/" + queueName
                    + "\nack:client-individual\nreceipt:s\n\n\0", "s");
            try (RawStompClient producer = survivor.client("producer")) {
                producer.connectStomp();
                for (int i = 0; i < n; i++) {
                    producer.sendAndAwaitReceipt("SEND\ndestination:/queue/" + queueName + "\nreceipt:p" + i
                            + "\n\njob-" + i + "\0", "p" + i);
                }
            }
            for (int i = 0; i < n; i++) {
                holder.expectMessage(); // held, never acknowledged
            }
            RawStompClient other = survivor.client("other");
            other.connectStomp();
            other.sendAndAwaitReceipt("SUBSCRIBE\nid:q\ndestination:/queue/" + queueName
                    + "\nack:client-individual\nreceipt:s\n\n\0", "s");

            victim.destroyForcibly(); // SIGKILL
            assertThat(victim.waitFor(20, TimeUnit.SECONDS)).isTrue();

            Set<String> redelivered = new HashSet<>();
            while (redelivered.size() < n) {
                StompFrame m = other.expectMessage();
                assertThat(m.header("redelivered")).isEqualTo("true");
                redelivered.add(RawStompClient.text(m));
                other.sendText("ACK\nid:" + m.header("ack") + "\n\n\0");
            }
            assertThat(redelivered).hasSize(n);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Rabbit.queueExists("stomp.node." + victimId));
            holder.close();
            other.close();
            rabbit.deleteQueue("stomp.queue." + queueName);
        }
        finally {
            victim.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static boolean healthy(int port) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        }
        catch (java.io.IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
