package io.stompgate.testing;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads one subscriber's MESSAGE frames on its own thread and counts each body,
 * so a test can ask which bodies arrived, which twice and which never.
 */
public final class MessageCollector implements AutoCloseable {

    private final RawStompClient client;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public MessageCollector(RawStompClient client, String name) {
        this.client = client;
        this.thread = new Thread(this::run, "collector-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            StompFrame f = client.next(Duration.ofMillis(50));
            if (f != null && f.command() == StompCommand.MESSAGE) {
                counts.merge(RawStompClient.text(f), 1, Integer::sum);
            }
        }
    }

    /** How often {@code body} arrived. */
    public int count(String body) {
        return counts.getOrDefault(body, 0);
    }

    /** Of {@code expected}, those that never arrived. */
    public List<String> missing(Collection<String> expected) {
        return expected.stream().filter(b -> count(b) == 0).sorted().toList();
    }

    /** Every body that arrived more than once. */
    public List<String> duplicated() {
        return counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    /** Whether every one of {@code expected} has arrived. */
    public boolean hasAll(Collection<String> expected) {
        return expected.stream().allMatch(b -> count(b) > 0);
    }

    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2_000);
    }
}
