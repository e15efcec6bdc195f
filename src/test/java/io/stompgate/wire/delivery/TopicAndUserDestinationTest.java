package io.stompgate.wire.delivery;

import static io.stompgate.testing.Frames.frame;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Topics, wildcards, user destinations, receipts and transactions over a real WebSocket. */
class TopicAndUserDestinationTest extends LocalGatewayTest {

    @Test
    void subscriberReceivesWhatAnotherSessionSendsWithItsHeaders() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("s1", "/topic/prices.eu");

        bob.sendAndAwaitReceipt(send("/topic/prices.eu", "42.5",
                "content-type", "text/plain", "x-trace", "t-1", "receipt", "r1"), "r1");

        StompFrame message = alice.expectMessage();
        assertThat(message.header("destination")).isEqualTo("/topic/prices.eu");
        assertThat(message.header("subscription")).isEqualTo("s1");
        assertThat(message.header("message-id")).isNotBlank();
        assertThat(message.header("content-type")).isEqualTo("text/plain");
        assertThat(message.header("content-length")).isEqualTo("4");
        assertThat(message.header("x-trace")).isEqualTo("t-1");
        assertThat(message.header("receipt")).as("the SEND's own receipt header is not forwarded").isNull();
        assertThat(message.header("ack")).as("no ack header on an auto subscription").isNull();
        assertThat(RawStompClient.text(message)).isEqualTo("42.5");
    }

    @Test
    void senderSubscribedToTheTopicReceivesItsOwnMessage() {
        RawStompClient alice = client("alice");
        alice.subscribe("own", "/topic/self.echo");

        alice.sendText(send("/topic/self.echo", "to myself"));

        assertThat(RawStompClient.text(alice.expectMessage())).isEqualTo("to myself");
    }

    @Test
    void messageIdsAreUniqueAndOneSendersMessagesArriveInOrder() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("s", "/topic/order.test");

        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            burst.append(send("/topic/order.test", "m" + i));
        }
        bob.sendText(burst.toString());

        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            StompFrame message = alice.expectMessage();
            assertThat(RawStompClient.text(message)).isEqualTo("m" + i);
            assertThat(ids.add(message.header("message-id"))).as("message-id %s is unique", message.header("message-id")).isTrue();
        }
    }

    @Test
    void wildcardSubscriptionsMatchOneOrAnyWordsAndMessagesCarryTheConcreteDestination() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("one", "/topic/wild.*");
        alice.subscribe("any", "/topic/wild.#");
        alice.subscribe("mid", "/topic/*.mid.*");
        alice.subscribe("all", "/topic/#");
        alice.subscribe("end", "/topic/zz.end");

        for (String key : List.of("wild", "wild.a", "wild.a.b", "x.mid.y", "wild.mid.z", "other")) {
            bob.sendText(send("/topic/" + key, key));
        }
        bob.sendText(send("/topic/zz.end", "zz.end"));

        Map<String, List<String>> bySubscription = new HashMap<>();
        StompFrame message;
        do {
            message = alice.expectMessage();
            assertThat(message.header("destination")).as("the concrete destination, never the pattern")
                    .isEqualTo("/topic/" + RawStompClient.text(message));
            bySubscription.computeIfAbsent(message.header("subscription"), s -> new ArrayList<>())
                    .add(RawStompClient.text(message));
        } while (!"end".equals(message.header("subscription")));

        assertThat(bySubscription.get("one")).containsExactly("wild.a");
        assertThat(bySubscription.get("any")).containsExactly("wild", "wild.a", "wild.a.b", "wild.mid.z");
        assertThat(bySubscription.get("mid")).containsExactly("x.mid.y", "wild.mid.z");
        // "/topic/#" also matches "zz.end", which may arrive just before or after the "end" copy.
        assertThat(bySubscription.get("all")).startsWith("wild", "wild.a", "wild.a.b", "x.mid.y", "wild.mid.z", "other");
    }

    @Test
    void unsubscribedSessionReceivesNothingMore() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("gone", "/topic/unsub.a");
        alice.subscribe("kept", "/topic/unsub.b");

        alice.sendAndAwaitReceipt(frame("UNSUBSCRIBE", "id", "gone", "receipt", "u"), "u");
        bob.sendText(send("/topic/unsub.a", "not for alice"));
        bob.sendText(send("/topic/unsub.b", "marker"));

        StompFrame next = alice.expectMessage();
        assertThat(next.header("subscription")).isEqualTo("kept");
        assertThat(RawStompClient.text(next)).isEqualTo("marker");
    }

    @Test
    void userDestinationReachesEverySubscribedSessionOfThatUserAndNobodyElse() {
        RawStompClient alice1 = client("alice");
        RawStompClient alice2 = client("alice");
        RawStompClient bob = client("bob");
        RawStompClient carol = client("carol");
        alice1.subscribe("in1", "/user/queue/inbox");
        alice2.subscribe("in2", "/user/queue/inbox");
        bob.subscribe("inb", "/user/queue/inbox");

        carol.sendAndAwaitReceipt(send("/user/alice/queue/inbox", "for alice", "receipt", "r"), "r");
        carol.sendText(send("/user/bob/queue/inbox", "for bob"));

        for (RawStompClient alice : List.of(alice1, alice2)) {
            StompFrame message = alice.expectMessage();
            assertThat(message.header("destination")).isEqualTo("/user/queue/inbox");
            assertThat(RawStompClient.text(message)).isEqualTo("for alice");
        }
        StompFrame bobsFirst = bob.expectMessage();
        assertThat(RawStompClient.text(bobsFirst)).as("bob's first message is his own, not alice's").isEqualTo("for bob");
        assertThat(bobsFirst.header("destination")).isEqualTo("/user/queue/inbox");
    }

    @Test
    void userQueuesOfOneUserAreSeparateByName() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("inbox", "/user/queue/inbox");
        alice.subscribe("alerts", "/user/queue/alerts");

        bob.sendText(send("/user/alice/queue/alerts", "alert"));
        bob.sendText(send("/user/alice/queue/inbox", "mail"));

        StompFrame first = alice.expectMessage();
        StompFrame second = alice.expectMessage();
        assertThat(first.header("subscription")).isEqualTo("alerts");
        assertThat(first.header("destination")).isEqualTo("/user/queue/alerts");
        assertThat(second.header("subscription")).isEqualTo("inbox");
        assertThat(second.header("destination")).isEqualTo("/user/queue/inbox");
    }

    @Test
    void everyClientFrameTypeGetsItsReceipt() {
        RawStompClient alice = RawStompClient.connectAs(port, "alice");
        clients.track(alice);
        StompFrame connected = alice.connectStomp("receipt", "c");
        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        alice.expectReceipt("c");

        alice.sendAndAwaitReceipt(frame("SUBSCRIBE", "id", "q", "destination", "/queue/receipts",
                "ack", "client-individual", "receipt", "subscribe"), "subscribe");
        alice.sendAndAwaitReceipt(send("/queue/receipts", "one", "receipt", "send"), "send");
        StompFrame one = alice.expectMessage();
        alice.sendAndAwaitReceipt(frame("NACK", "id", one.header("ack"), "receipt", "nack"), "nack");
        StompFrame again = alice.expectMessage();
        assertThat(again.header("redelivered")).isEqualTo("true");
        alice.sendAndAwaitReceipt(frame("ACK", "id", again.header("ack"), "receipt", "ack"), "ack");
        alice.sendAndAwaitReceipt(frame("BEGIN", "transaction", "t1", "receipt", "begin"), "begin");
        alice.sendAndAwaitReceipt(send("/topic/receipts", "in tx", "transaction", "t1", "receipt", "tx-send"), "tx-send");
        alice.sendAndAwaitReceipt(frame("ABORT", "transaction", "t1", "receipt", "abort"), "abort");
        alice.sendAndAwaitReceipt(frame("BEGIN", "transaction", "t2", "receipt", "begin2"), "begin2");
        alice.sendAndAwaitReceipt(frame("COMMIT", "transaction", "t2", "receipt", "commit"), "commit");
        alice.sendAndAwaitReceipt(frame("UNSUBSCRIBE", "id", "q", "receipt", "unsubscribe"), "unsubscribe");
        alice.sendText(frame("DISCONNECT", "receipt", "disconnect"));
        alice.expectReceipt("disconnect");
        assertThat(alice.awaitClosed(RawStompClient.TIMEOUT)).as("closed after DISCONNECT's receipt").isTrue();
    }

    @Test
    void committedTransactionDeliversItsSendsInOrderAndOnlyAtCommit() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("s", "/topic/tx.commit");

        bob.sendAndAwaitReceipt(frame("BEGIN", "transaction", "t", "receipt", "b"), "b");
        for (int i = 1; i <= 3; i++) {
            bob.sendText(send("/topic/tx.commit", "tx" + i, "transaction", "t"));
        }
        bob.sendAndAwaitReceipt(send("/topic/tx.commit", "outside", "receipt", "o"), "o");
        StompFrame first = alice.expectMessage();
        assertThat(RawStompClient.text(first)).as("nothing of the transaction before COMMIT").isEqualTo("outside");

        bob.sendAndAwaitReceipt(frame("COMMIT", "transaction", "t", "receipt", "c"), "c");

        for (int i = 1; i <= 3; i++) {
            StompFrame message = alice.expectMessage();
            assertThat(RawStompClient.text(message)).isEqualTo("tx" + i);
            assertThat(message.header("transaction")).as("the transaction header is not forwarded").isNull();
        }
    }

    @Test
    void abortedTransactionDeliversNothing() {
        RawStompClient alice = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("s", "/topic/tx.abort");

        bob.sendText(frame("BEGIN", "transaction", "t"));
        bob.sendText(send("/topic/tx.abort", "never 1", "transaction", "t"));
        bob.sendText(send("/topic/tx.abort", "never 2", "transaction", "t"));
        bob.sendAndAwaitReceipt(frame("ABORT", "transaction", "t", "receipt", "a"), "a");
        bob.sendText(send("/topic/tx.abort", "after abort"));

        assertThat(RawStompClient.text(alice.expectMessage())).isEqualTo("after abort");
    }
}
