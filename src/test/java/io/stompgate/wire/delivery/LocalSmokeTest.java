package io.stompgate.wire.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LocalSmokeTest {

    @LocalServerPort
    int port;

    @Test
    void subscriberReceivesWhatAnotherSessionSendsToTheTopic() {
        try (RawStompClient alice = RawStompClient.connect(port, "/ws?user=alice", h -> { }, "v12.stomp");
             RawStompClient bob = RawStompClient.connect(port, "/ws?user=bob", h -> { }, "v12.stomp")) {
            assertThat(alice.subprotocol()).isEqualTo("v12.stomp");
            StompFrame connected = alice.connectStomp();
            assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
            assertThat(connected.header("user-name")).isEqualTo("alice");
            bob.connectStomp();
            alice.sendText("SUBSCRIBE\nid:s1\ndestination:/topic/news.*\nreceipt:r1\n\n\0");
            assertThat(alice.next().header("receipt-id")).isEqualTo("r1");
            bob.sendText("SEND\ndestination:/topic/news.eu\ncontent-type:text/plain\nreceipt:r2\n\nhello\0");
            assertThat(bob.next().header("receipt-id")).isEqualTo("r2");
            StompFrame message = alice.next(Duration.ofSeconds(5));
            assertThat(message.command()).isEqualTo(StompCommand.MESSAGE);
            assertThat(message.header("destination")).isEqualTo("/topic/news.eu");
            assertThat(message.header("subscription")).isEqualTo("s1");
            assertThat(RawStompClient.text(message)).isEqualTo("hello");
        }
    }
}
