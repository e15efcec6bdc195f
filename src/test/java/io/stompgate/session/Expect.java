package io.stompgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.testing.ErrorAssertions;
import java.util.function.Consumer;

/** Assertions on what a session wrote, for {@code StepVerifier.assertNext}. */
final class Expect {

    private Expect() {
    }

    static Consumer<Sent> command(StompCommand command) {
        return sent -> assertThat(sent.command()).as("command of %s", sent).isEqualTo(command);
    }

    static Consumer<Sent> connected() {
        return command(StompCommand.CONNECTED);
    }

    static Consumer<Sent> receipt(String receiptId) {
        return sent -> {
            assertThat(sent.command()).as("command of %s", sent).isEqualTo(StompCommand.RECEIPT);
            assertThat(sent.header(StompHeaders.RECEIPT_ID)).as("receipt-id of %s", sent).isEqualTo(receiptId);
        };
    }

    /** An ERROR whose {@code message} header contains every one of {@code fragments}. */
    static Consumer<Sent> error(String... fragments) {
        return sent -> ErrorAssertions.assertError(sent.frame(), fragments);
    }

    static Consumer<Sent> heartBeat() {
        return sent -> assertThat(sent.isHeartBeat()).as("%s is a heart-beat", sent).isTrue();
    }

    static Consumer<Sent> heartBeatAt(long atMs) {
        return sent -> {
            assertThat(sent.isHeartBeat()).as("%s is a heart-beat", sent).isTrue();
            assertThat(sent.atMs()).as("virtual time of %s", sent).isEqualTo(atMs);
        };
    }

    static Consumer<Sent> message(String subscription, String destination, String body) {
        return sent -> {
            assertThat(sent.command()).as("command of %s", sent).isEqualTo(StompCommand.MESSAGE);
            assertThat(sent.header(StompHeaders.SUBSCRIPTION)).as("subscription of %s", sent).isEqualTo(subscription);
            assertThat(sent.header(StompHeaders.DESTINATION)).as("destination of %s", sent).isEqualTo(destination);
            assertThat(sent.body()).as("body of %s", sent).isEqualTo(body);
        };
    }
}
