package io.stompgate.wire.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Many sessions of one node subscribe and unsubscribe the same few patterns at
 * once; when they stop, RabbitMQ holds exactly one binding for each pattern that
 * still has a subscriber and none for the others. Seeded: the seed is printed on
 * failure and replayed with {@code -Dstomp.seed=...}.
 */
@NeedsRabbitMQ
class CountedBindingsUnderConcurrencyTest {

    @Test
    void bindingsMatchSubscribersAfterConcurrentChurn() {
        Seeds.withSeed("concurrent binding churn", seed -> {
            String root = "churn" + UUID.randomUUID().toString().substring(0, 8);
            List<String> patterns = List.of(root + ".a", root + ".*", root + ".#", root + ".b.c");
            int clients = 12;
            int steps = 40;
            try (GatewayNode node = GatewayNode.startRabbit()) {
                String nodeQueue = "stomp.node." + node.nodeId();
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                List<Future<Set<String>>> finals = new ArrayList<>();
                List<RawStompClient> open = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    RawStompClient client = node.client("churn" + c);
                    client.connectStomp();
                    open.add(client);
                    Random random = new Random(seed + c);
                    finals.add(pool.submit(() -> churn(client, patterns, steps, random)));
                }
                Set<String> stillSubscribed = new HashSet<>();
                for (Future<Set<String>> f : finals) {
                    stillSubscribed.addAll(f.get());
                }
                pool.shutdown();
                String context = Seeds.replay(seed);
                for (String pattern : patterns) {
                    long expected = stillSubscribed.contains(pattern) ? 1 : 0;
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                            assertThat(Rabbit.topicBindings(nodeQueue, pattern))
                                    .as("%s: bindings of %s", context, pattern).isEqualTo(expected));
                }
                open.forEach(RawStompClient::close);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (String pattern : patterns) {
                        assertThat(Rabbit.topicBindings(nodeQueue, pattern)).as("%s: %s after close", context, pattern)
                                .isZero();
                    }
                    assertThat(node.bean(SessionRegistry.class).topicPatternCount()).isZero();
                });
            }
        });
    }

    /** Random subscribes and unsubscribes, each awaited by receipt; returns the patterns left subscribed. */
    private static Set<String> churn(RawStompClient client, List<String> patterns, int steps, Random random) {
        Set<String> subscribed = new HashSet<>();
        for (int i = 0; i < steps; i++) {
            String pattern = patterns.get(random.nextInt(patterns.size()));
            String id = "sub-" + patterns.indexOf(pattern);
            String receipt = "r" + i;
            if (subscribed.contains(pattern)) {
                client.sendText("UNSUBSCRIBE\nid:" + id + "\nreceipt:" + receipt + "\n\n\0");
                subscribed.remove(pattern);
            }
            else {
                client.sendText("SUBSCRIBE\nid:" + id + "\ndestination:/topic/" + pattern + "\nreceipt:" + receipt + "\n\n\0");
                subscribed.add(pattern);
            }
            var answer = client.expect(f -> f.command() != StompCommand.MESSAGE, Duration.ofSeconds(10));
            if (answer.command() != StompCommand.RECEIPT || !receipt.equals(answer.header("receipt-id"))) {
                throw new AssertionError("unexpected answer " + answer + " " + answer.header("message"));
            }
        }
        return subscribed;
    }
}
