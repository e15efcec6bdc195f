package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.StalledWebSocketClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * One client stops reading while 50 others read 2,000 msg/s between them (a
 * 40 msg/s broadcast each): the stalled one, which also subscribed to a 1,000
 * msg/s stream of 4 KiB messages so that its socket fills within a second, is
 * closed as a slow consumer, its queue never grows past its bound, and the
 * others keep their pace and latency. (Each reader taking 2,000 msg/s, 100,000
 * frames/s in all, is a benchmark for separate processes, not a test in one JVM
 * on two cores.)
 */
class StalledClientDoesNotSlowOthersTest {

    private static final int READERS = 50;
    private static final int TICKS_PER_SECOND = 40;
    private static final int FIREHOSE_PER_SECOND = 1000;
    private static final int SECONDS = 5;

    private static io.netty.util.ResourceLeakDetector.Level leakLevel;

    /**
     * Timing test: the paranoid leak detector records a stack trace at every buffer access, which
     * at 4 MB/s costs more than the gateway itself. Leaks are the business of the leak tests.
     */
    @org.junit.jupiter.api.BeforeAll
    static void sampleLeaksOnly() {
        leakLevel = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.SIMPLE);
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreLeakLevel() {
        io.netty.util.ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void aStalledClientIsClosedWhileTheOthersKeepTheirPace() throws Exception {
        try (GatewayNode node = GatewayNode.startLocal("gateway.limits.outbound-frames=256")) {
            String firehose = "y".repeat(4096);
            List<RawStompClient> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                RawStompClient c = node.client("reader" + i);
                c.connectStomp();
                c.sendText("SUBSCRIBE\nid:s\ndestination:/topic/ticks\nreceipt:r\n\n\0");
                assertThat(c.next().command()).isEqualTo(StompCommand.RECEIPT);
                readers.add(c);
            }
            StalledWebSocketClient stalled = new StalledWebSocketClient(node.port(), "/ws?user=stalled");
            stalled.sendText("CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0");
            assertThat(stalled.nextFrame().command()).isEqualTo(StompCommand.CONNECTED);
            stalled.sendText("SUBSCRIBE\nid:s\ndestination:/topic/ticks\nreceipt:r\n\n\0");
            assertThat(stalled.nextFrame().command()).isEqualTo(StompCommand.RECEIPT);
            stalled.sendText("SUBSCRIBE\nid:f\ndestination:/topic/firehose\nreceipt:r\n\n\0");
            assertThat(stalled.nextFrame().command()).isEqualTo(StompCommand.RECEIPT);
            // From here on the stalled client reads nothing.

            int total = TICKS_PER_SECOND * SECONDS;
            List<CompletableFuture<long[]>> latencies = new ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(READERS);
            for (RawStompClient reader : readers) {
                latencies.add(CompletableFuture.supplyAsync(() -> receiveAll(reader, total), pool));
            }
            try (RawStompClient publisher = node.client("publisher")) {
                publisher.connectStomp();
                long start = System.nanoTime();
                int ticks = 0;
                int perTick = FIREHOSE_PER_SECOND / TICKS_PER_SECOND;
                while (ticks < total) {
                    long due = start + ticks * 1_000_000_000L / TICKS_PER_SECOND;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    publisher.sendText("SEND\ndestination:/topic/ticks\n\n" + System.nanoTime() + " tick\0");
                    ticks++;
                    for (int f = 0; f < perTick; f++) {
                        publisher.sendText("SEND\ndestination:/topic/firehose\n\n" + firehose + "\0");
                    }
                }
                publisher.sendText("DISCONNECT\nreceipt:done\n\n\0");
                publisher.expect(f -> f.command() == StompCommand.RECEIPT, Duration.ofSeconds(10));
            }
            List<Long> p99s = new ArrayList<>();
            for (CompletableFuture<long[]> f : latencies) {
                long[] l = f.get();
                assertThat(l).as("every message reaches every reader").hasSize(total);
                Arrays.sort(l);
                p99s.add(l[(int) (l.length * 0.99)]);

            }
            pool.shutdown();
            long worstP99Ms = p99s.stream().mapToLong(Long::longValue).max().orElseThrow() / 1_000_000;
            assertThat(worstP99Ms).as("p99 latency of the readers, ms").isLessThan(500);

            MeterRegistry meters = node.bean(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    meters.get("stomp.slow.consumer.disconnects").counter().count() == 1.0);
            assertThat(meters.get("stomp.outbound.queue.depth").summary().max()).isLessThanOrEqualTo(256);
            String rest = stalled.readToEnd();
            assertThat(rest).as("the server closed the stalled connection").isNotNull();
            assertThat(stalled.endedByServer()).as("the server closed the stalled connection (not a read timeout)").isTrue();
            stalled.close();
            readers.forEach(RawStompClient::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.bean(SessionRegistry.class).sessionCount() == 0);
            double messagesWritten = meters.get("stomp.frames.sent").tag("command", "MESSAGE").counter().count();
            assertThat(meters.get("stomp.messages.delivered").counter().count())
                    .as("delivered counts what was written, not the stalled client's dropped backlog")
                    .isEqualTo(messagesWritten)
                    .isGreaterThanOrEqualTo((double) READERS * total);
        }
    }

    /** Latency of each message in nanoseconds, from the timestamp the publisher put in the body. */
    private static long[] receiveAll(RawStompClient reader, int total) {
        long[] latencies = new long[total];
        int n = 0;
        while (n < total) {
            StompFrame f = reader.next(Duration.ofSeconds(10));
            if (f == null) {
                break;
            }
            if (f.command() != StompCommand.MESSAGE) {
                continue;
            }
            String body = RawStompClient.text(f);
            latencies[n++] = System.nanoTime() - Long.parseLong(body.substring(0, body.indexOf(' ')));
        }
        return Arrays.copyOf(latencies, n);
    }
}
