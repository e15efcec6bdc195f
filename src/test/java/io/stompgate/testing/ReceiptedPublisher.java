package io.stompgate.testing;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client SENDing numbered bodies ({@code <name>-<n>}) to one destination at a
 * steady rate, each with a receipt, from its own thread; when its session is
 * closed with an ERROR it connects again, as a real client would. Records which
 * bodies were receipted, so a test can check that each of them reached every
 * subscriber.
 */
public final class ReceiptedPublisher implements AutoCloseable {

    private final GatewayNode node;
    private final String destination;
    private final String name;
    private final long intervalNanos;
    private final Set<String> receipted = ConcurrentHashMap.newKeySet();
    private final Map<String, String> pending = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger errored = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    public ReceiptedPublisher(GatewayNode node, String destination, String name, int perSecond) {
        this.node = node;
        this.destination = destination;
        this.name = name;
        this.intervalNanos = 1_000_000_000L / perSecond;
        this.thread = new Thread(this::run, "publisher-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Bodies the gateway receipted: the broker confirmed them. */
    public Set<String> receipted() {
        return Set.copyOf(receipted);
    }

    public int sent() {
        return sent.get();
    }

    public int errored() {
        return errored.get();
    }

    /** Stops sending and waits up to {@code answers} for the answers still due. */
    public void stop(Duration answers) throws InterruptedException {
        running = false;
        thread.join(answers.toMillis() + 5_000);
    }

    private void run() {
        long next = System.nanoTime();
        int n = 0;
        while (running) {
            try (RawStompClient client = node.client(name)) {
                if (client.connectStomp().command() != StompCommand.CONNECTED) {
                    Thread.sleep(200);
                    continue;
                }
                while (running && client.isOpen()) {
                    String body = name + "-" + n++;
                    pending.put("r-" + body, body);
                    sent.incrementAndGet();
                    client.sendText("SEND\ndestination:" + destination + "\nreceipt:r-" + body + "\n\n" + body + "\0");
                    next += intervalNanos;
                    drain(client, Math.max(0, next - System.nanoTime()));
                }
                drain(client, Duration.ofSeconds(running ? 1 : 12).toNanos());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException e) {
                // could not connect: try again
            }
            pending.clear();
        }
    }

    private void drain(RawStompClient client, long windowNanos) {
        long deadline = System.nanoTime() + windowNanos;
        do {
            StompFrame f = client.next(Duration.ofMillis(5));
            if (f == null) {
                if (!client.isOpen() || (!running && pending.isEmpty())) {
                    return;
                }
                continue;
            }
            if (f.command() == StompCommand.RECEIPT) {
                String body = pending.remove(f.header("receipt-id"));
                if (body != null) {
                    receipted.add(body);
                }
            }
            else if (f.command() == StompCommand.ERROR) {
                errored.addAndGet(pending.size());
                pending.clear();
            }
        } while (System.nanoTime() < deadline);
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ZERO);
    }
}
