package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.session.StubBroker.Op;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Counted bindings: the broker is asked once per pattern or user, with the first local subscriber, and released with the last. */
class SessionRegistryTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();
    final SessionRegistry registry = new SessionRegistry(broker, SessionMetrics.NOOP);

    static Subscription topicSubscription(String id, String pattern) {
        return new Subscription(null, id, "/topic/" + pattern, new Address.Topic(pattern), AckMode.AUTO);
    }

    @Test
    void firstSubscriberBindsSecondDoesNotLastLeavingUnbinds() {
        Subscription first = topicSubscription("1", "news.*");
        Subscription second = topicSubscription("2", "news.*");

        StepVerifier.create(registry.subscribeTopic(first, "news.*")).verifyComplete();
        assertThat(broker.bindingHistory("news.*")).containsExactly(Op.BIND_TOPIC);

        StepVerifier.create(registry.subscribeTopic(second, "news.*")).verifyComplete();
        assertThat(broker.bindingHistory("news.*")).as("already bound").containsExactly(Op.BIND_TOPIC);
        assertThat(registry.topicPatternCount()).isEqualTo(1);

        registry.unsubscribeTopic(first, "news.*");
        assertThat(broker.bindingHistory("news.*")).as("one subscriber left").containsExactly(Op.BIND_TOPIC);

        registry.unsubscribeTopic(second, "news.*");
        assertThat(broker.bindingHistory("news.*")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);
        assertThat(registry.topicPatternCount()).isZero();
    }

    @Test
    void eachDistinctPatternHasItsOwnBinding() {
        registry.subscribeTopic(topicSubscription("1", "a.*"), "a.*").block(TIMEOUT);
        registry.subscribeTopic(topicSubscription("2", "a.#"), "a.#").block(TIMEOUT);
        registry.subscribeTopic(topicSubscription("3", "a.*"), "a.*").block(TIMEOUT);

        assertThat(broker.calls(Op.BIND_TOPIC)).extracting(StubBroker.Call::target).containsExactly("a.*", "a.#");
        assertThat(registry.topicPatternCount()).isEqualTo(2);
    }

    @Test
    void unsubscribingWhatWasNeverSubscribedDoesNothing() {
        Subscription held = topicSubscription("1", "a");
        registry.subscribeTopic(held, "a").block(TIMEOUT);

        registry.unsubscribeTopic(topicSubscription("2", "a"), "a");
        registry.unsubscribeTopic(topicSubscription("3", "b"), "b");
        registry.unsubscribeTopic(held, "a");
        registry.unsubscribeTopic(held, "a");

        assertThat(broker.calls()).extracting(StubBroker.Call::op).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);
    }

    @Test
    void everySubscriberWaitingOnAFailedBindGetsTheErrorAndThePatternIsForgotten() {
        broker.holdBind("a");
        Mono<Void> first = registry.subscribeTopic(topicSubscription("1", "a"), "a");
        Mono<Void> second = registry.subscribeTopic(topicSubscription("2", "a"), "a");

        StepVerifier.create(Mono.when(first.onErrorResume(e -> Mono.empty()), second))
                .then(() -> broker.failBind("a", "no route"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BrokerException.class).hasMessage("no route"))
                .verify(TIMEOUT);
        StepVerifier.create(first).expectError(BrokerException.class).verify(TIMEOUT);

        assertThat(registry.topicPatternCount()).isZero();
        assertThat(broker.bindingHistory("a")).as("a failed bind is cleaned up like a bind").containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);

        StepVerifier.create(registry.subscribeTopic(topicSubscription("3", "a"), "a")).verifyComplete();
        assertThat(broker.bindingHistory("a")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC, Op.BIND_TOPIC);
    }

    @Test
    void lastSubscriberLeavingWhileTheBindIsPendingUnbindsAfterIt() {
        broker.holdBind("a");
        Subscription sub = topicSubscription("1", "a");
        Mono<Void> bound = registry.subscribeTopic(sub, "a");

        registry.unsubscribeTopic(sub, "a");
        assertThat(broker.bindingHistory("a")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);

        broker.completeBind("a");
        StepVerifier.create(bound).verifyComplete();
        assertThat(registry.topicPatternCount()).isZero();
        assertThat(broker.bindingHistory("a")).containsExactly(Op.BIND_TOPIC, Op.UNBIND_TOPIC);
    }

    @Test
    void userIsBoundWithItsFirstSessionAndUnboundWithItsLast() {
        SessionHarness harness = new SessionHarness(broker);
        TestClient phone = harness.open(Identity.of("alice"));
        TestClient laptop = harness.open(Identity.of("alice"));
        TestClient bob = harness.open(Identity.of("bob"));
        phone.collect();
        laptop.collect();
        bob.collect();

        phone.connect();
        assertThat(broker.bindingHistory("alice")).containsExactly(Op.BIND_USER);
        laptop.connect();
        bob.connect();
        assertThat(broker.bindingHistory("alice")).as("alice is already bound").containsExactly(Op.BIND_USER);
        assertThat(harness.registry.userCount()).isEqualTo(2);
        assertThat(harness.registry.sessionCount()).isEqualTo(3);

        phone.send(StompCommand.DISCONNECT);
        assertThat(broker.bindingHistory("alice")).as("alice still has a session").containsExactly(Op.BIND_USER);
        assertThat(harness.registry.userCount()).isEqualTo(2);

        laptop.closeTransport();
        assertThat(broker.bindingHistory("alice")).containsExactly(Op.BIND_USER, Op.UNBIND_USER);
        assertThat(harness.registry.userCount()).isEqualTo(1);
        assertThat(broker.bindingHistory("bob")).containsExactly(Op.BIND_USER);

        bob.closeTransport();
        assertThat(harness.registry.userCount()).isZero();
        assertThat(harness.registry.sessionCount()).isZero();
    }

    @Test
    void userMessageReachesEverySessionOfThatUserThatSubscribedItsQueue() {
        SessionHarness harness = new SessionHarness(broker);
        TestClient phone = harness.open(Identity.of("alice"));
        TestClient laptop = harness.open(Identity.of("alice"));
        List<Sent> phoneSaw = phone.collect();
        List<Sent> laptopSaw = laptop.collect();
        phone.connect().subscribe("p", "/user/queue/inbox");
        laptop.connect().subscribe("l", "/user/queue/alerts");

        harness.registry.onUserMessage("alice", "inbox",
                new BrokerMessage(StompHeaders.EMPTY, "hi".getBytes(StandardCharsets.UTF_8)));

        assertThat(phoneSaw).satisfiesExactly(connected(), message("p", "/user/queue/inbox", "hi"));
        assertThat(laptopSaw).as("the laptop did not subscribe to inbox").satisfiesExactly(connected());
    }
}
