package io.stompgate.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every broker's history must do (docs/protocol.md §7), whatever keeps it: an
 * in-memory log or a RabbitMQ stream. Each implementation runs this suite by
 * extending it.
 */
public abstract class HistoryContract {

    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** Topics {@code <root>.#} keep a history; other topics do not. */
    protected final String root = "h" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    protected MessageBroker broker;
    protected final BlockingQueue<long[]> historyOffsets = new LinkedBlockingQueue<>();
    protected final List<String> historyKeys = new CopyOnWriteArrayList<>();
    protected final BlockingQueue<String> plainTopics = new LinkedBlockingQueue<>();

    /** A started-fresh broker whose history is {@code history}, isolated from other tests. */
    protected abstract MessageBroker newBroker(History history);

    /** Removes what a test left behind in the broker. */
    protected void cleanUp() {
    }

    @BeforeEach
    void startBroker() {
        broker = newBroker(new History(List.of(root + ".#"), Duration.ofMinutes(10), 64L * 1024 * 1024));
        broker.start(new DeliveryListener() {
            @Override
            public void onTopicMessage(String key, BrokerMessage message) {
                plainTopics.add(key + "=" + text(message));
            }

            @Override
            public void onUserMessage(String user, String queue, BrokerMessage message) {
            }

            @Override
            public void onHistoryMessage(String key, long offset, BrokerMessage message) {
                historyKeys.add(key + "=" + text(message));
                historyOffsets.add(new long[] {offset});
            }
        }).block(WAIT);
    }

    @AfterEach
    void stopBroker() {
        broker.stop().block(WAIT);
        cleanUp();
    }

    private static String text(BrokerMessage m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    protected void publish(String key, String body) {
        broker.publish(new Publication(new Address.Topic(key), new BrokerMessage(StompHeaders.of("x-n", body),
                body.getBytes(StandardCharsets.UTF_8)), "alice", "s-1")).block(WAIT);
    }

    /** Publishes {@code n} messages to {@code <root>.a} and waits for their live offsets. */
    private List<Long> publishMany(int n, String prefix) throws InterruptedException {
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            publish(root + ".a", prefix + i);
        }
        for (int i = 0; i < n; i++) {
            long[] o = historyOffsets.poll(10, TimeUnit.SECONDS);
            assertThat(o).as("live history delivery %d of %d", i, n).isNotNull();
            offsets.add(o[0]);
        }
        return offsets;
    }

    /** Records what a read delivers, consuming each at once unless told to hold. */
    protected static final class Recorder implements HistoryReader {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<Long> offsets = new CopyOnWriteArrayList<>();
        final List<Runnable> held = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        volatile Throwable error;

        @Override
        public void onMessage(String key, long offset, BrokerMessage message, Runnable consumed) {
            messages.add(key + "=" + text(message));
            offsets.add(offset);
            if (hold) {
                held.add(consumed);
            }
            else {
                consumed.run();
            }
        }

        @Override
        public void onError(Throwable e) {
            error = e;
        }
    }

    @Test
    void historyTopicsComeWithGrowingOffsetsAndOtherTopicsAsBefore() throws InterruptedException {
        List<Long> offsets = publishMany(5, "m");
        broker.bindTopic("plain" + root).block(WAIT);
        publish("plain" + root, "p");

        assertThat(offsets).isSorted().doesNotHaveDuplicates();
        assertThat(historyKeys).containsExactly(root + ".a=m0", root + ".a=m1", root + ".a=m2", root + ".a=m3",
                root + ".a=m4");
        assertThat(plainTopics.poll(10, TimeUnit.SECONDS)).isEqualTo("plain" + root + "=p");
        assertThat(broker.history().keeps(root + ".x.y")).isTrue();
        assertThat(broker.history().covers(root + ".*")).isTrue();
        assertThat(broker.history().covers("#")).isFalse();
    }

    @Test
    void aReadFromTheFirstDeliversWhatIsRetainedInOrderThenWhatFollows() throws InterruptedException {
        publishMany(3, "old");
        Recorder recorder = new Recorder();
        HistoryRead read = broker.readHistory(new HistoryStart.First(), recorder);
        try {
            await().atMost(WAIT).until(() -> recorder.messages.size() >= 3);
            publishMany(2, "new");
            await().atMost(WAIT).until(() -> recorder.messages.size() >= 5);

            assertThat(recorder.messages).containsSubsequence(root + ".a=old0", root + ".a=old1", root + ".a=old2",
                    root + ".a=new0", root + ".a=new1");
            assertThat(recorder.offsets).isSorted().doesNotHaveDuplicates();
            assertThat(recorder.error).isNull();
        }
        finally {
            read.cancel();
        }
    }

    @Test
    void aReadFromAnOffsetDeliversFromThere() throws InterruptedException {
        List<Long> offsets = publishMany(6, "m");
        Recorder recorder = new Recorder();
        HistoryRead read = broker.readHistory(new HistoryStart.Offset(offsets.get(3)), recorder);
        try {
            await().atMost(WAIT).until(() -> recorder.offsets.contains(offsets.get(5)));

            // A read may begin a little before its start (a stream's chunk); from the start on it is exact.
            List<Long> fromStart = recorder.offsets.stream().filter(o -> o >= offsets.get(3)).toList();
            assertThat(fromStart).containsExactly(offsets.get(3), offsets.get(4), offsets.get(5));
            assertThat(recorder.offsets.get(0)).isLessThanOrEqualTo(offsets.get(3));
        }
        finally {
            read.cancel();
        }
    }

    @Test
    void aReadFromATimestampDeliversWhatWasPublishedSince() throws InterruptedException {
        publishMany(2, "before");
        Thread.sleep(2100);
        long since = System.currentTimeMillis() / 1000;
        Thread.sleep(1100);
        publishMany(2, "after");
        Recorder recorder = new Recorder();
        HistoryRead read = broker.readHistory(new HistoryStart.Timestamp(since), recorder);
        try {
            await().atMost(WAIT).until(() -> recorder.messages.contains(root + ".a=after1"));

            assertThat(recorder.messages).containsSubsequence(root + ".a=after0", root + ".a=after1")
                    .doesNotContain(root + ".a=before0");
        }
        finally {
            read.cancel();
        }
    }

    @Test
    void aReadGoesNoFasterThanItsReaderConsumes() throws InterruptedException {
        publishMany(400, "w");
        Recorder recorder = new Recorder();
        recorder.hold = true;
        HistoryRead read = broker.readHistory(new HistoryStart.First(), recorder);
        try {
            await().atMost(WAIT).until(() -> recorder.messages.size() >= 100);
            Thread.sleep(500);
            int window = recorder.messages.size();
            assertThat(window).as("handed over without being consumed").isLessThan(400);

            recorder.hold = false;
            recorder.held.forEach(Runnable::run);
            await().atMost(WAIT).until(() -> recorder.messages.contains(root + ".a=w399"));
        }
        finally {
            read.cancel();
        }
    }

    @Test
    void aCancelledReadDeliversNothingMore() throws InterruptedException {
        publishMany(2, "c");
        Recorder recorder = new Recorder();
        HistoryRead read = broker.readHistory(new HistoryStart.First(), recorder);
        await().atMost(WAIT).until(() -> recorder.messages.size() >= 2);

        read.cancel();
        Thread.sleep(300);
        int seen = recorder.messages.size();
        publishMany(3, "after-cancel");
        Thread.sleep(500);

        assertThat(recorder.messages).hasSize(seen);
    }
}
