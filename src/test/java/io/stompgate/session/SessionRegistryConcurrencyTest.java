package io.stompgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.session.StubBroker.Op;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.testing.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Many threads subscribe and unsubscribe the same few patterns at random while
 * another fans messages out; at quiescence the broker must hold a binding for
 * exactly the patterns that still have subscribers, and for each pattern it must
 * have seen bind and unbind strictly alternating. The seed fixes each thread's
 * sequence of operations (the interleaving is the scheduler's); replay a failure
 * with {@code -Dstomp.seed=N}.
 */
class SessionRegistryConcurrencyTest {

    static final String[] PATTERNS = {"a.*", "a.#", "#", "b", "c.*.d"};
    static final String[] KEYS = {"a.x", "a", "b", "c.y.d", "z"};
    static final int THREADS = 4;
    static final int OPERATIONS = 20_000;
    static final int SLOTS = 6;

    @Test
    void bindingsFollowSubscribersUnderConcurrentChurn() {
        Seeds.withSeed("registry churn", this::churn);
    }

    private void churn(long seed) throws Exception {
        StubBroker broker = new StubBroker();
        SessionHarness harness = new SessionHarness(broker);
        SessionRegistry registry = harness.registry;
        // A session that never connected: deliveries to it are dropped, but matching still runs.
        StompSession session = new StompSession("idle", Identity.of("nobody"), harness.context);

        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean churning = new AtomicBoolean(true);
        List<Future<List<Subscription>>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Random random = new Random(seed + t);
            String thread = "t" + t;
            workers.add(pool.submit(() -> {
                Subscription[] slots = new Subscription[SLOTS];
                start.await();
                for (int i = 0; i < OPERATIONS; i++) {
                    int slot = random.nextInt(SLOTS);
                    Subscription sub = slots[slot];
                    if (sub == null) {
                        String pattern = PATTERNS[random.nextInt(PATTERNS.length)];
                        sub = new Subscription(session, thread + "-" + i, "/topic/" + pattern,
                                new Address.Topic(pattern), AckMode.AUTO);
                        registry.subscribeTopic(sub, pattern).block(Duration.ofSeconds(5));
                        slots[slot] = sub;
                    }
                    else {
                        registry.unsubscribeTopic(sub, key(sub));
                        slots[slot] = null;
                    }
                }
                List<Subscription> left = new ArrayList<>();
                for (Subscription s : slots) {
                    if (s != null) {
                        left.add(s);
                    }
                }
                return left;
            }));
        }
        Random readerRandom = new Random(seed - 1);
        Future<?> reader = pool.submit(() -> {
            start.await();
            BrokerMessage message = new BrokerMessage(StompHeaders.EMPTY, new byte[0]);
            while (churning.get()) {
                registry.onTopicMessage(KEYS[readerRandom.nextInt(KEYS.length)], message);
            }
            return null;
        });

        start.countDown();
        List<Subscription> remaining = new ArrayList<>();
        for (Future<List<Subscription>> worker : workers) {
            remaining.addAll(worker.get(60, TimeUnit.SECONDS));
        }
        churning.set(false);
        reader.get(10, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        Map<String, Integer> subscribers = new HashMap<>();
        remaining.forEach(s -> subscribers.merge(key(s), 1, Integer::sum));
        assertBindingsFollow(broker, subscribers);
        assertThat(registry.topicPatternCount()).isEqualTo(subscribers.size());

        for (Subscription s : remaining) {
            registry.unsubscribeTopic(s, key(s));
        }
        assertBindingsFollow(broker, Map.of());
        assertThat(registry.topicPatternCount()).isZero();
    }

    private static void assertBindingsFollow(StubBroker broker, Map<String, Integer> subscribers) {
        for (String pattern : PATTERNS) {
            List<Op> history = broker.bindingHistory(pattern);
            for (int i = 0; i < history.size(); i++) {
                assertThat(history.get(i))
                        .as("call %d of %d for '%s': binds and unbinds alternate, starting with a bind", i, history.size(), pattern)
                        .isEqualTo(i % 2 == 0 ? Op.BIND_TOPIC : Op.UNBIND_TOPIC);
            }
            boolean bound = history.size() % 2 == 1;
            assertThat(bound).as("'%s' is bound exactly while it has subscribers (%s)", pattern, subscribers.get(pattern))
                    .isEqualTo(subscribers.containsKey(pattern));
        }
    }

    private static String key(Subscription s) {
        return ((Address.Topic) s.address()).key();
    }
}
