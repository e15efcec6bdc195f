package io.stompgate.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompHeaders;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

    @Test
    void frameHeadersCredentialsNodeHeadersAndGatewayHeadersStayBehind() {
        StompHeaders sent = StompHeaders.of("destination", "/topic/a", "receipt", "r", "transaction", "t",
                "content-length", "3", "id", "i", "login", "l", "passcode", "p", "Authorization", "Bearer x",
                "subscription", "s", "message-id", "m", "ack", "a", "redelivered", "true", "receipt-id", "r0",
                "prefetch-count", "5", "persistent", "true", "stomp-user", "forged", "content-type", "text/plain",
                "x-trace", "abc");

        assertThat(ForwardedHeaders.of(sent).names()).containsExactly("content-type", "x-trace");
    }

    @Test
    void onlyTheFirstOfRepeatedHeadersTravels() {
        StompHeaders sent = StompHeaders.of("x-a", "1", "x-b", "2", "x-a", "3");

        assertThat(ForwardedHeaders.of(sent)).isEqualTo(StompHeaders.of("x-a", "1", "x-b", "2"));
    }

    @Test
    void headersWithNothingToDropAreReturnedAsThey() {
        StompHeaders sent = StompHeaders.of("content-type", "text/plain", "x-a", "1");

        assertThat(ForwardedHeaders.of(sent)).isSameAs(sent);
    }
}
