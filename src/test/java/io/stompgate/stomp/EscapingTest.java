package io.stompgate.stomp;

import static io.stompgate.stomp.Wire.decode;
import static io.stompgate.stomp.Wire.frame;
import static io.stompgate.stomp.Wire.malformed;
import static io.stompgate.stomp.Wire.text;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** STOMP 1.1/1.2 §"Value Encoding", in both directions. */
class EscapingTest {

    // Decoding

    @ParameterizedTest
    @EnumSource(value = StompVersion.class, names = {"V1_1", "V1_2"})
    void escapedLineFeedColonAndBackslashAreDecoded(StompVersion version) {
        assertThat(frame(decode("SEND\nx:a\\nb\\cc\\\\d\n\n\0", version)).header("x")).isEqualTo("a\nb:c\\d");
    }

    @Test
    void escapedCarriageReturnIsDecodedIn12() {
        assertThat(frame(decode("SEND\nx:a\\rb\n\n\0", StompVersion.V1_2)).header("x")).isEqualTo("a\rb");
    }

    @Test
    void escapedCarriageReturnIsUndefinedIn11() {
        DecodeResult.Malformed error = malformed(decode("SEND\nx:a\\rb\n\n\0", StompVersion.V1_1));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.MALFORMED);
        assertThat(error.reason()).contains("\\r");
    }

    @ParameterizedTest
    @EnumSource(value = StompVersion.class, names = {"V1_1", "V1_2"})
    void undefinedEscapeIsMalformedAndNamed(StompVersion version) {
        DecodeResult.Malformed error = malformed(decode("SEND\nx:a\\tb\n\n\0", version));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.MALFORMED);
        assertThat(error.reason()).contains("\\t");
    }

    @ParameterizedTest
    @EnumSource(value = StompVersion.class, names = {"V1_1", "V1_2"})
    void backslashEndingAValueIsMalformed(StompVersion version) {
        assertThat(malformed(decode("SEND\nx:ab\\\n\n\0", version)).problem()).isEqualTo(DecodeResult.Problem.MALFORMED);
    }

    @Test
    void undefinedEscapeInAHeaderNameIsMalformed() {
        assertThat(malformed(decode("SEND\na\\tb:x\n\n\0", StompVersion.V1_2)).reason()).contains("\\t");
    }

    @Test
    void headerNamesAreUnescapedToo() {
        assertThat(frame(decode("SEND\na\\cb:x\n\n\0", StompVersion.V1_2)).header("a:b")).isEqualTo("x");
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void noEscapingOnConnectFrame(StompVersion version) {
        assertThat(frame(decode("CONNECT\npasscode:a\\cb\\tc\\\n\n\0", version)).header("passcode"))
                .isEqualTo("a\\cb\\tc\\");
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void noEscapingOnConnectedFrame(StompVersion version) {
        assertThat(frame(decode("CONNECTED\nserver:a\\nb\n\n\0", version)).header("server")).isEqualTo("a\\nb");
    }

    @Test
    void noEscapingIn10() {
        assertThat(frame(decode("SEND\nx:a\\nb\\tc\n\n\0", StompVersion.V1_0)).header("x")).isEqualTo("a\\nb\\tc");
    }

    @Test
    void noEscapingBeforeAVersionIsNegotiated() {
        assertThat(frame(decode("SEND\nx:a\\nb\n\n\0", null)).header("x")).isEqualTo("a\\nb");
    }

    // Encoding

    @ParameterizedTest
    @EnumSource(value = StompVersion.class, names = {"V1_1", "V1_2"})
    void encoderEscapesLineFeedColonAndBackslash(StompVersion version) {
        assertThat(encodeSend("x", "a\nb:c\\d", version)).contains("\nx:a\\nb\\cc\\\\d\n");
    }

    @Test
    void encoderEscapesCarriageReturnIn12() {
        assertThat(encodeSend("x", "a\rb", StompVersion.V1_2)).contains("\nx:a\\rb\n");
    }

    @Test
    void carriageReturnIn11ValueBecomesASpaceBecause11HasNoEscapeForIt() {
        assertThat(encodeSend("x", "a\rb", StompVersion.V1_1)).contains("\nx:a b\n");
    }

    @Test
    void encoderEscapesHeaderNames() {
        assertThat(encodeSend("a:b", "x", StompVersion.V1_2)).contains("\na\\cb:x\n");
    }

    @Test
    void lineFeedInA10ValueBecomesASpace() {
        assertThat(encodeSend("x", "a\nb\rc", StompVersion.V1_0)).contains("\nx:a b c\n");
    }

    @Test
    void colonAndBackslashIn10ValueAreWrittenAsTheyAre() {
        assertThat(encodeSend("x", "a:b\\c", StompVersion.V1_0)).contains("\nx:a:b\\c\n");
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void encoderDoesNotEscapeConnectedFrame(StompVersion version) {
        StompFrame connected = StompFrame.of(StompCommand.CONNECTED, "server", "gate:1\\x\ny");

        assertThat(text(StompEncoder.encode(connected, version))).isEqualTo("CONNECTED\nserver:gate:1\\x y\n\n\0");
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    void encoderDoesNotEscapeConnectFrame(StompVersion version) {
        StompFrame connect = StompFrame.of(StompCommand.CONNECT, "passcode", "p:a\\ss");

        assertThat(text(StompEncoder.encode(connect, version))).isEqualTo("CONNECT\npasscode:p:a\\ss\n\n\0");
    }

    @Test
    void valueWithoutSpecialCharactersIsWrittenVerbatim() {
        assertThat(encodeSend("x", "caf\u00e9 \u4e2d", StompVersion.V1_2)).contains("\nx:caf\u00e9 \u4e2d\n");
    }

    private static String encodeSend(String name, String value, StompVersion version) {
        return text(StompEncoder.encode(StompFrame.of(StompCommand.SEND, name, value), version));
    }
}
