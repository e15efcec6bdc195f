package io.stompgate.wire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * A SIGTERM-equivalent shutdown (closing the application context) with 200
 * sessions: readiness goes down first, new handshakes get 503, and the sessions
 * are closed with ERROR "server shutting down" spread evenly over the drain period.
 */
class GracefulDrainTest {

    @Test
    void sessionsAreClosedEvenlyOverTheDrainPeriodAfterReadinessWentDown() throws Exception {
        int sessions = 200;
        long periodMs = 4000;
        GatewayNode node = GatewayNode.startLocal("gateway.drain.period=" + periodMs + "ms");
        AtomicLong readinessDownAt = new AtomicLong();
        node.context().addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) event -> {
            if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
                readinessDownAt.compareAndSet(0, System.nanoTime());
            }
        });
        List<RawStompClient> clients = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            RawStompClient c = node.client("u" + i);
            assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
            clients.add(c);
        }
        int port = node.port();
        long start = System.nanoTime();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(node::close);
        List<Long> closedAtMs = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(sessions);
        for (RawStompClient c : clients) {
            waits.add(CompletableFuture.runAsync(() -> {
                StompFrame error = c.next(Duration.ofMillis(periodMs + 5000));
                assertThat(error).isNotNull();
                assertThat(error.command()).isEqualTo(StompCommand.ERROR);
                assertThat(error.header("message")).isEqualTo("server shutting down");
                closedAtMs.add((System.nanoTime() - start) / 1_000_000);
                assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
            }, pool));
        }
        // While draining, a new handshake is refused with 503.
        Thread.sleep(periodMs / 4);
        assertThat(RawStompClient.handshakeStatus(port, "/ws?user=late", h -> { })).isEqualTo(503);
        CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get();
        shutdown.get();
        pool.shutdown();

        assertThat(readinessDownAt.get()).isPositive();
        assertThat((readinessDownAt.get() - start) / 1_000_000).isLessThanOrEqualTo(Collections.min(closedAtMs));
        List<Long> sorted = new ArrayList<>(closedAtMs);
        Collections.sort(sorted);
        assertThat(sorted).hasSize(sessions);
        // Spread: each quarter of the period closes about a quarter of the sessions.
        for (int q = 1; q <= 3; q++) {
            long boundary = periodMs * q / 4;
            long closedBefore = sorted.stream().filter(t -> t < boundary).count();
            assertThat(closedBefore).as("sessions closed before %d ms", boundary)
                    .isBetween((long) (sessions * q / 4.0 - sessions * 0.15), (long) (sessions * q / 4.0 + sessions * 0.15));
        }
        assertThat(sorted.get(sorted.size() - 1)).isGreaterThanOrEqualTo(periodMs * 3 / 4);
        clients.forEach(RawStompClient::close);
    }
}
