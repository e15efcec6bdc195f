package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.broker.MessageBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.TcpProxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Both nodes lose RabbitMQ for 10 s (an in-test TCP proxy is cut; the shared
 * broker is never restarted) while publishers keep sending with receipts and a
 * worker holds unacknowledged {@code /queue} messages. Afterwards: every SEND
 * got a RECEIPT or an ERROR (none silent), subscriber sessions survived, every
 * queue message published before the cut is delivered (duplicates counted, none
 * lost), and topic delivery resumed within 5 s of the restore. Prints the figures.
 */
@NeedsRabbitMQ
class BrokerOutageUnderLoadTest {

    private static final Duration OUTAGE = Duration.ofSeconds(10);

    @Test
    void nothingIsSilentlyLostAcrossATenSecondOutage() throws Exception {
        String topic = "/topic/outage" + UUID.randomUUID().toString().substring(0, 8);
        String queueName = "outage" + UUID.randomUUID().toString().substring(0, 8);
        String queue = "/queue/" + queueName;
        try (TcpProxy proxy = TcpProxy.toRabbit();
             GatewayNode a = GatewayNode.startRabbitThrough(proxy);
             GatewayNode b = GatewayNode.startRabbitThrough(proxy);
             Rabbit rabbit = Rabbit.connect()) {
            RawStompClient subA = a.client("subA");
            RawStompClient subB = b.client("subB");
            for (RawStompClient s : List.of(subA, subB)) {
                s.connectStomp();
                s.sendAndAwaitReceipt("SUBSCRIBE\nid:t\ndestination:" + topic + "\nreceipt:t\n\n\0", "t");
            }

            // Queue messages published before the cut; the worker acknowledges half of what it gets.
            int queued = 100;
            try (RawStompClient producer = a.client("producer")) {
                producer.connectStomp();
                for (int i = 0; i < queued; i++) {
                    producer.sendAndAwaitReceipt("SEND\ndestination:" + queue + "\nreceipt:q" + i + "\n\njob-" + i + "\0", "q" + i);
                }
            }
            RawStompClient worker = b.client("worker");
            worker.connectStomp();
            worker.sendAndAwaitReceipt("SUBSCRIBE\nid:q\ndestination:" + queue + "\nack:client-individual\nprefetch-count:100\nreceipt:w\n\n\0", "w");
            Set<String> acked = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < queued; i++) {
                StompFrame m = worker.expectMessage();
                String body = RawStompClient.text(m);
                seen.merge(body, 1, Integer::sum);
                if (i % 2 == 0) {
                    worker.sendText("ACK\nid:" + m.header("ack") + "\n\n\0");
                    acked.add(body);
                }
            }
            worker.sendAndAwaitReceipt("BEGIN\ntransaction:noop\nreceipt:acks\n\n\0", "acks"); // the ACKs above are processed

            // Steady load: two publishers, one per node, each SEND with a receipt, through the cut.
            Load loadA = new Load(a, topic, "pubA");
            Load loadB = new Load(b, topic, "pubB");
            loadA.start();
            loadB.start();
            Thread.sleep(1000);
            MessageBroker brokerA = a.bean(MessageBroker.class);
            MessageBroker brokerB = b.bean(MessageBroker.class);
            proxy.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> !brokerA.isUp() && !brokerB.isUp());
            Thread.sleep(OUTAGE.toMillis());
            long restoredAt = System.nanoTime();
            proxy.restore();

            // Topic delivery resumes: a marker sent after the restore reaches both subscribers.
            long resumedNanos;
            try (RawStompClient probe = b.client("probe")) {
                probe.connectStomp();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                boolean delivered = false;
                int attempt = 0;
                while (!delivered && System.nanoTime() < deadline) {
                    String marker = "marker-" + attempt++;
                    probe.sendText("SEND\ndestination:" + topic + "\n\n" + marker + "\0");
                    delivered = receivedMarker(subA, marker) && receivedMarker(subB, marker);
                }
                assertThat(delivered).as("topic delivery resumed").isTrue();
                resumedNanos = System.nanoTime() - restoredAt;
            }
            loadA.stop();
            loadB.stop();

            // Queue messages: the unacknowledged ones come back; none is lost.
            Set<String> delivered = new HashSet<>(acked);
            int duplicates = 0;
            long queueDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (delivered.size() < queued && System.nanoTime() < queueDeadline) {
                StompFrame m = worker.next(Duration.ofSeconds(1));
                if (m == null || m.command() != StompCommand.MESSAGE) {
                    continue;
                }
                String body = RawStompClient.text(m);
                if (!delivered.add(body)) {
                    duplicates++;
                }
                worker.sendText("ACK\nid:" + m.header("ack") + "\n\n\0");
            }
            int lost = queued - delivered.size();

            int sent = loadA.sent.get() + loadB.sent.get();
            int receipted = loadA.receipted.get() + loadB.receipted.get();
            int errored = loadA.errored.get() + loadB.errored.get();
            int silent = sent - receipted - errored;
            System.out.printf("OUTAGE-FIGURES outage=%ds sends=%d receipted=%d errored=%d silent=%d "
                            + "queue: published=%d acked-before=%d lost=%d redelivered-duplicates=%d topic-resumed-after=%dms%n",
                    OUTAGE.toSeconds(), sent, receipted, errored, silent, queued, acked.size(), lost, duplicates,
                    resumedNanos / 1_000_000);

            assertThat(silent).as("SENDs with neither RECEIPT nor ERROR").isZero();
            assertThat(errored).as("SENDs refused while the broker was away longer than the operation timeout").isPositive();
            assertThat(lost).as("queue messages lost").isZero();
            assertThat(resumedNanos).as("topic delivery resumed within 5 s of the restore")
                    .isLessThan(Duration.ofSeconds(5).toNanos());
            assertThat(subA.isOpen()).as("subscriber sessions survive").isTrue();
            assertThat(subB.isOpen()).isTrue();
            assertThat(worker.isOpen()).isTrue();
            for (RawStompClient c : List.of(subA, subB, worker)) {
                c.close();
            }
            rabbit.deleteQueue("stomp.queue." + queueName);
        }
    }

    private static boolean receivedMarker(RawStompClient client, String marker) {
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        while (System.nanoTime() < deadline) {
            StompFrame f = client.next(Duration.ofMillis(50));
            if (f != null && f.command() == StompCommand.MESSAGE && marker.equals(RawStompClient.text(f))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A publisher sending 20 SENDs a second with receipts; when its session is
     * closed with an ERROR it reconnects, as a real client would. Counts every
     * SEND and how each was answered.
     */
    private static final class Load {
        final GatewayNode node;
        final String topic;
        final String name;
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger receipted = new AtomicInteger();
        final AtomicInteger errored = new AtomicInteger();
        final Map<String, Boolean> pending = new ConcurrentHashMap<>();
        final AtomicLong seq = new AtomicLong();
        volatile boolean running = true;
        Thread thread;

        Load(GatewayNode node, String topic, String name) {
            this.node = node;
            this.topic = topic;
            this.name = name;
        }

        void start() {
            thread = new Thread(this::run, "load-" + name);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }

        /** This session has been ended by an ERROR; the load thread only. */
        private boolean sessionEnded;

        private void run() {
            while (running) {
                try (RawStompClient c = node.client(name)) {
                    if (c.connectStomp().command() != StompCommand.CONNECTED) {
                        Thread.sleep(200);
                        continue;
                    }
                    sessionEnded = false;
                    // An ERROR ends the session (STOMP): a SEND written after it reached nobody, and is not
                    // the server's to answer.
                    while (running && c.isOpen() && !sessionEnded) {
                        String receipt = name + "-" + seq.incrementAndGet();
                        pending.put(receipt, true);
                        sent.incrementAndGet();
                        c.sendText("SEND\ndestination:" + topic + "\nreceipt:" + receipt + "\n\nload\0");
                        drain(c, Duration.ofMillis(50));
                    }
                    // Session over (ERROR or stop): collect every answer it still gives.
                    drain(c, Duration.ofSeconds(running ? 1 : 12));
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                catch (RuntimeException e) {
                    // could not connect (node busy): try again
                }
                // Whatever this session did not answer was answered by nothing: count it as silent.
                pending.clear();
            }
        }

        private void drain(RawStompClient c, Duration window) {
            long deadline = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < deadline && !(pending.isEmpty() && !running)) {
                StompFrame f = c.next(Duration.ofMillis(10));
                if (f == null) {
                    if (!c.isOpen() && pending.isEmpty()) {
                        return;
                    }
                    continue;
                }
                if (f.command() == StompCommand.RECEIPT && pending.remove(f.header("receipt-id")) != null) {
                    receipted.incrementAndGet();
                }
                else if (f.command() == StompCommand.ERROR) {
                    // The ERROR answers the SEND it names, and ends the session: every other SEND still
                    // pending on it was refused with it.
                    errored.addAndGet(pending.size());
                    pending.clear();
                    sessionEnded = true;
                }
            }
        }
    }
}
