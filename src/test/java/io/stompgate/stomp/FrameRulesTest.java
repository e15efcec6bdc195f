package io.stompgate.stomp;

import static io.stompgate.stomp.StompCommand.ABORT;
import static io.stompgate.stomp.StompCommand.ACK;
import static io.stompgate.stomp.StompCommand.BEGIN;
import static io.stompgate.stomp.StompCommand.COMMIT;
import static io.stompgate.stomp.StompCommand.CONNECT;
import static io.stompgate.stomp.StompCommand.DISCONNECT;
import static io.stompgate.stomp.StompCommand.NACK;
import static io.stompgate.stomp.StompCommand.SEND;
import static io.stompgate.stomp.StompCommand.STOMP;
import static io.stompgate.stomp.StompCommand.SUBSCRIBE;
import static io.stompgate.stomp.StompCommand.UNSUBSCRIBE;
import static io.stompgate.stomp.StompVersion.V1_0;
import static io.stompgate.stomp.StompVersion.V1_1;
import static io.stompgate.stomp.StompVersion.V1_2;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FrameRulesTest {

    /** The headers each client command must carry, per version, as the specifications list them. */
    static Stream<Arguments> requiredHeaders() {
        return Stream.of(
                Arguments.of(SEND, V1_0, List.of("destination")),
                Arguments.of(SEND, V1_1, List.of("destination")),
                Arguments.of(SEND, V1_2, List.of("destination")),
                Arguments.of(SUBSCRIBE, V1_0, List.of("destination")),
                Arguments.of(SUBSCRIBE, V1_1, List.of("destination", "id")),
                Arguments.of(SUBSCRIBE, V1_2, List.of("destination", "id")),
                Arguments.of(UNSUBSCRIBE, V1_1, List.of("id")),
                Arguments.of(UNSUBSCRIBE, V1_2, List.of("id")),
                Arguments.of(ACK, V1_0, List.of("message-id")),
                Arguments.of(ACK, V1_1, List.of("message-id", "subscription")),
                Arguments.of(ACK, V1_2, List.of("id")),
                Arguments.of(NACK, V1_1, List.of("message-id", "subscription")),
                Arguments.of(NACK, V1_2, List.of("id")),
                Arguments.of(BEGIN, V1_0, List.of("transaction")),
                Arguments.of(BEGIN, V1_2, List.of("transaction")),
                Arguments.of(COMMIT, V1_0, List.of("transaction")),
                Arguments.of(COMMIT, V1_2, List.of("transaction")),
                Arguments.of(ABORT, V1_1, List.of("transaction")),
                Arguments.of(ABORT, V1_2, List.of("transaction")),
                Arguments.of(CONNECT, V1_2, List.of()),
                Arguments.of(STOMP, V1_2, List.of()),
                Arguments.of(DISCONNECT, V1_0, List.of()),
                Arguments.of(DISCONNECT, V1_2, List.of()));
    }

    @ParameterizedTest(name = "{0} in {1} with {2}")
    @MethodSource("requiredHeaders")
    void frameWithItsRequiredHeadersIsAccepted(StompCommand command, StompVersion version, List<String> required) {
        assertThat(FrameRules.violation(frameWith(command, required, null), version)).isNull();
    }

    @ParameterizedTest(name = "{0} in {1} needs {2}")
    @MethodSource("requiredHeaders")
    void frameMissingARequiredHeaderIsRejectedNamingIt(StompCommand command, StompVersion version, List<String> required) {
        for (String missing : required) {
            StompFrame frame = frameWith(command, required, missing);

            assertThat(FrameRules.violation(frame, version)).as("without %s", missing)
                    .contains(command.name()).contains("'" + missing + "'");
        }
    }

    @Test
    void subscribeWithoutIdIsAcceptedIn10() {
        assertThat(FrameRules.violation(StompFrame.of(SUBSCRIBE, "destination", "/topic/a"), V1_0)).isNull();
    }

    @Test
    void subscribeWithoutIdIsRejectedFrom11On() {
        assertThat(FrameRules.violation(StompFrame.of(SUBSCRIBE, "destination", "/topic/a"), V1_1)).contains("'id'");
        assertThat(FrameRules.violation(StompFrame.of(SUBSCRIBE, "destination", "/topic/a"), V1_2)).contains("'id'");
    }

    @Test
    void ackIn12NeedsOnlyId() {
        assertThat(FrameRules.violation(StompFrame.of(ACK, "id", "a1"), V1_2)).isNull();
    }

    @Test
    void ackIn11NeedsMessageIdAndSubscriptionNotId() {
        assertThat(FrameRules.violation(StompFrame.of(ACK, "id", "a1"), V1_1)).contains("'message-id'");
        assertThat(FrameRules.violation(StompFrame.of(ACK, "message-id", "m1", "subscription", "s1"), V1_1)).isNull();
    }

    @Test
    void ackIn10NeedsOnlyMessageId() {
        assertThat(FrameRules.violation(StompFrame.of(ACK, "message-id", "m1"), V1_0)).isNull();
    }

    @Test
    void nackDoesNotExistIn10() {
        assertThat(FrameRules.violation(StompFrame.of(NACK, "message-id", "m1"), V1_0)).contains("NACK").contains("1.0");
    }

    @Test
    void unsubscribeIn10NeedsIdOrDestination() {
        assertThat(FrameRules.violation(StompFrame.of(UNSUBSCRIBE), V1_0)).contains("'id'").contains("'destination'");
        assertThat(FrameRules.violation(StompFrame.of(UNSUBSCRIBE, "id", "s1"), V1_0)).isNull();
        assertThat(FrameRules.violation(StompFrame.of(UNSUBSCRIBE, "destination", "/topic/a"), V1_0)).isNull();
    }

    @Test
    void emptyRequiredHeaderCountsAsMissing() {
        assertThat(FrameRules.violation(StompFrame.of(SEND, "destination", ""), V1_2)).contains("'destination'");
    }

    @Test
    void sendMayCarryABody() {
        StompFrame send = new StompFrame(SEND, StompHeaders.of("destination", "/topic/a"), body());

        assertThat(FrameRules.violation(send, V1_2)).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = StompCommand.class, names = {
        "CONNECT", "STOMP", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK", "BEGIN", "COMMIT", "ABORT", "DISCONNECT"})
    void onlySendMayCarryABody(StompCommand command) {
        StompFrame frame = frameWith(command, command.requiredHeaders(V1_2), null);
        StompFrame withBody = new StompFrame(command, frame.headers(), body());

        assertThat(FrameRules.violation(withBody, V1_2)).contains("body");
    }

    @ParameterizedTest
    @EnumSource(value = StompCommand.class, names = {"CONNECTED", "MESSAGE", "RECEIPT", "ERROR"})
    void serverFramesMayNotComeFromAClient(StompCommand command) {
        assertThat(FrameRules.violation(StompFrame.of(command), V1_2)).contains("server frame");
    }

    @Test
    void serverFramesListTheHeadersTheGatewayMustWrite() {
        assertThat(StompCommand.MESSAGE.requiredHeaders(V1_2)).containsExactlyInAnyOrder("destination", "message-id", "subscription");
        assertThat(StompCommand.RECEIPT.requiredHeaders(V1_2)).containsExactly("receipt-id");
        assertThat(StompCommand.CONNECTED.requiredHeaders(V1_1)).containsExactly("version");
        assertThat(StompCommand.CONNECTED.requiredHeaders(V1_0)).isEmpty();
    }

    @Test
    void commandsKnowWhoSendsThem() {
        assertThat(Stream.of(StompCommand.values()).filter(c -> !c.isClientCommand()))
                .containsExactlyInAnyOrder(StompCommand.CONNECTED, StompCommand.MESSAGE, StompCommand.RECEIPT, StompCommand.ERROR);
    }

    @Test
    void onlySendMessageAndErrorMayHaveBodies() {
        assertThat(Stream.of(StompCommand.values()).filter(StompCommand::isBodyAllowed))
                .containsExactlyInAnyOrder(SEND, StompCommand.MESSAGE, StompCommand.ERROR);
    }

    private static StompFrame frameWith(StompCommand command, List<String> names, String except) {
        StompHeaders.Builder headers = StompHeaders.builder();
        for (String name : names) {
            if (!name.equals(except)) {
                headers.add(name, name + "-value");
            }
        }
        return StompFrame.of(command, headers.build());
    }

    private static byte[] body() {
        return "payload".getBytes(StandardCharsets.UTF_8);
    }
}
