package io.stompgate.stomp;

import static io.stompgate.stomp.Wire.bytes;
import static io.stompgate.stomp.Wire.decode;
import static io.stompgate.stomp.Wire.frame;
import static io.stompgate.stomp.Wire.incomplete;
import static io.stompgate.stomp.Wire.malformed;
import static io.stompgate.stomp.Wire.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class StompDecoderTest {

    // Commands

    @ParameterizedTest
    @EnumSource(StompCommand.class)
    void everyCommandIsRecognised(StompCommand command) {
        assertThat(frame(decode(command.name() + "\n\n\0")).command()).isEqualTo(command);
    }

    @Test
    void unknownCommandIsMalformedAndNamesTheCommand() {
        DecodeResult.Malformed error = malformed(decode("PUBLISH\n\n\0"));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.UNKNOWN_COMMAND);
        assertThat(error.reason()).contains("PUBLISH");
    }

    @Test
    void lowercaseSendIsAnUnknownCommand() {
        DecodeResult.Malformed error = malformed(decode("send\ndestination:/a\n\n\0"));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.UNKNOWN_COMMAND);
        assertThat(error.reason()).contains("send");
    }

    @Test
    void commandWithTrailingSpaceIsUnknown() {
        assertThat(malformed(decode("SEND \n\n\0")).problem()).isEqualTo(DecodeResult.Problem.UNKNOWN_COMMAND);
    }

    @Test
    void firstLineLongerThanAnyCommandIsUnknownBeforeItsLineEnds() {
        assertThat(malformed(decode("THISISNOTACOMMAND")).problem()).isEqualTo(DecodeResult.Problem.UNKNOWN_COMMAND);
    }

    @Test
    void longestCommandSplitBeforeItsLineFeedIsIncomplete() {
        assertThat(incomplete(decode("UNSUBSCRIBE\r")).awaiting()).isEqualTo(DecodeResult.Awaiting.END_OF_LINE);
    }

    // End of lines and heart-beats

    @Test
    void lineFeedBetweenFramesIsAHeartBeat() {
        assertThat(decode("\nSEND\n\n\0")).isEqualTo(new DecodeResult.HeartBeat(1));
    }

    @Test
    void carriageReturnLineFeedIsOneHeartBeat() {
        assertThat(decode("\r\nSEND\n\n\0")).isEqualTo(new DecodeResult.HeartBeat(2));
    }

    @Test
    void carriageReturnAtTheEndOfInputWaitsForItsLineFeed() {
        assertThat(incomplete(decode("\r")).awaiting()).isEqualTo(DecodeResult.Awaiting.LENGTH);
    }

    @Test
    void carriageReturnNotFollowedByLineFeedIsMalformed() {
        assertThat(malformed(decode("\rSEND\n\n\0")).problem()).isEqualTo(DecodeResult.Problem.MALFORMED);
    }

    @Test
    void crlfLineEndingsAreAcceptedThroughout() {
        StompFrame frame = frame(decode("SEND\r\ndestination:/a\r\nreceipt:r1\r\n\r\nhi\0"));

        assertThat(frame.command()).isEqualTo(StompCommand.SEND);
        assertThat(frame.headers()).isEqualTo(StompHeaders.of("destination", "/a", "receipt", "r1"));
        assertThat(frame.bodyAsString()).isEqualTo("hi");
    }

    @Test
    void frameEndsJustPastItsNul() {
        assertThat(decode("SEND\n\nhi\0\n\nMORE")).isEqualTo(new DecodeResult.Frame(
                new StompFrame(StompCommand.SEND, StompHeaders.EMPTY, bytes("hi")), 9));
    }

    @Test
    void decodingStartsAtTheGivenOffset() {
        byte[] wire = bytes("xxSEND\n\n\0");

        DecodeResult result = StompDecoder.decode(wire, 2, wire.length, StompVersion.V1_2, StompLimits.DEFAULTS);

        assertThat(result).isEqualTo(new DecodeResult.Frame(StompFrame.of(StompCommand.SEND), wire.length));
    }

    // Headers

    @Test
    void repeatedHeaderFirstOneWins() {
        assertThat(frame(decode("MESSAGE\nfoo:first\nfoo:second\n\n\0")).header("foo")).isEqualTo("first");
    }

    @Test
    void repeatedHeadersAreAllKeptInOrder() {
        StompHeaders headers = frame(decode("MESSAGE\nfoo:1\nbar:2\nfoo:3\n\n\0")).headers();

        assertThat(headers.names()).containsExactly("foo", "bar", "foo");
        assertThat(headers.value(2)).isEqualTo("3");
    }

    @Test
    void firstColonSeparatesNameFromValue() {
        assertThat(frame(decode("SEND\ndestination:a:b\n\n\0", null)).header("destination")).isEqualTo("a:b");
    }

    @Test
    void emptyHeaderValueIsKept() {
        assertThat(frame(decode("SEND\nreceipt:\n\n\0")).header("receipt")).isEmpty();
    }

    @Test
    void whitespaceAroundHeaderNamesAndValuesIsKept() {
        assertThat(frame(decode("SEND\n name : value \n\n\0")).header(" name ")).isEqualTo(" value ");
    }

    @Test
    void headerValuesAreUtf8() {
        assertThat(frame(decode("SEND\nx:caf\u00e9 \u4e2d\n\n\0")).header("x")).isEqualTo("caf\u00e9 \u4e2d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"C328", "C0AF", "FFFE", "EDA080", "F4908080", "E282"})
    void headerLineThatIsNotUtf8IsMalformed(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        for (boolean inName : new boolean[] {false, true}) {
            java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
            wire.writeBytes("SEND\ndestination:/topic/a\n".getBytes(StandardCharsets.US_ASCII));
            wire.writeBytes(inName ? new byte[] {'x'} : "x:".getBytes(StandardCharsets.US_ASCII));
            wire.writeBytes(bad);
            wire.writeBytes(inName ? ":v\n\n\0".getBytes(StandardCharsets.US_ASCII) : "\n\n\0".getBytes(StandardCharsets.US_ASCII));

            assertThat(malformed(decode(wire.toByteArray(), StompVersion.V1_2, StompLimits.DEFAULTS)).reason())
                    .as("%s in the header %s", hex, inName ? "name" : "value")
                    .isEqualTo("header line is not valid UTF-8");
        }
    }

    @Test
    void multiByteUtf8WithEscapesDecodes() {
        assertThat(frame(decode("SEND\nk\\c\u00e9:\u00e9\\n\u4e2d\n\n\0")).header("k:\u00e9")).isEqualTo("\u00e9\n\u4e2d");
    }

    @Test
    void headerWithoutColonIsMalformed() {
        assertThat(malformed(decode("SEND\ndestination\n\n\0")).reason()).contains("':'");
    }

    @Test
    void headerWithEmptyNameIsMalformed() {
        assertThat(malformed(decode("SEND\n:value\n\n\0")).reason()).contains("empty name");
    }

    @Test
    void nulInAHeaderIsMalformed() {
        assertThat(malformed(decode("SEND\nx:a\0b\n\n\0")).reason()).contains("NUL");
    }

    @Test
    void nulInAnIncompleteHeaderLineIsMalformedAtOnce() {
        assertThat(malformed(decode("SEND\nx:a\0b")).reason()).contains("NUL");
    }

    // Body and content-length

    @Test
    void bodyWithoutContentLengthEndsAtTheFirstNul() {
        StompFrame frame = frame(decode("SEND\n\nab\0cd\0"));

        assertThat(frame.bodyAsString()).isEqualTo("ab");
    }

    @Test
    void contentLengthBodyMayContainNul() {
        StompFrame frame = frame(decode("SEND\ncontent-length:5\n\na\0b\0c\0"));

        assertThat(frame.body()).containsExactly('a', 0, 'b', 0, 'c');
    }

    @Test
    void contentLengthZeroMeansAnEmptyBody() {
        assertThat(frame(decode("SEND\ncontent-length:0\n\n\0")).body()).isEmpty();
    }

    @Test
    void firstContentLengthHeaderDecidesTheBodyLength() {
        StompFrame frame = frame(decode("SEND\ncontent-length:3\ncontent-length:1\n\na\0b\0"));

        assertThat(frame.body()).containsExactly('a', 0, 'b');
        assertThat(frame.headers().names()).containsExactly("content-length", "content-length");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "+5", " 5", "5 ", "", "0x10", "1.5", "99999999999", "2147483648"})
    void contentLengthThatIsNotANonNegativeIntegerIsMalformed(String value) {
        DecodeResult.Malformed error = malformed(decode("SEND\ncontent-length:" + value + "\n\nhello\0"));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.MALFORMED);
        assertThat(error.reason()).contains("content-length");
    }

    @Test
    void bodyNotFollowedByNulAfterContentLengthBytesIsMalformed() {
        assertThat(malformed(decode("SEND\ncontent-length:2\n\nabc\0")).reason()).contains("NUL");
    }

    @Test
    void contentLengthBodyStillArrivingAwaitsTheWholeFrameLength() {
        String wire = "SEND\ncontent-length:5\n\nab";

        DecodeResult.Incomplete incomplete = incomplete(decode(wire));

        assertThat(incomplete.awaiting()).isEqualTo(DecodeResult.Awaiting.LENGTH);
        assertThat(incomplete.position()).isEqualTo(wire.length() + 3 + 1);
    }

    @Test
    void bodyWithoutContentLengthStillArrivingAwaitsANul() {
        assertThat(incomplete(decode("SEND\n\nhel")).awaiting()).isEqualTo(DecodeResult.Awaiting.NUL);
    }

    @Test
    void unfinishedHeadersAwaitTheEndOfTheLine() {
        assertThat(incomplete(decode("SEND\ndestination:/a")).awaiting()).isEqualTo(DecodeResult.Awaiting.END_OF_LINE);
    }

    @Test
    void emptyInputIsIncomplete() {
        assertThat(StompDecoder.decode(new byte[0], 0, 0, null, StompLimits.DEFAULTS))
                .isInstanceOf(DecodeResult.Incomplete.class);
    }

    // Limits

    @Test
    void frameOfExactlyTheMaximumSizeIsAccepted() {
        StompLimits limits = StompLimits.ofMaxFrameBytes(128);
        String wire = "SEND\n\n" + repeat('x', 128 - 7) + "\0";

        assertThat(frame(decode(bytes(wire), null, limits)).body()).hasSize(121);
    }

    @Test
    void frameOneByteOverTheMaximumIsTooLarge() {
        StompLimits limits = StompLimits.ofMaxFrameBytes(128);
        String wire = "SEND\n\n" + repeat('x', 128 - 6) + "\0";

        assertThat(malformed(decode(bytes(wire), null, limits)).problem()).isEqualTo(DecodeResult.Problem.FRAME_TOO_LARGE);
    }

    @Test
    void frameWithoutNulIsTooLargeOnceItPassesTheMaximum() {
        StompLimits limits = StompLimits.ofMaxFrameBytes(128);

        DecodeResult result = decode(bytes("SEND\n\n" + repeat('x', 200)), null, limits);

        assertThat(malformed(result).problem()).isEqualTo(DecodeResult.Problem.FRAME_TOO_LARGE);
    }

    @Test
    void contentLengthFrameOfExactlyTheMaximumSizeIsAccepted() {
        byte[] wire = bytes("SEND\ncontent-length:100\n\n" + repeat('x', 100) + "\0");

        assertThat(frame(decode(wire, null, StompLimits.ofMaxFrameBytes(wire.length))).body()).hasSize(100);
    }

    @Test
    void contentLengthFrameOneByteOverTheMaximumIsTooLarge() {
        byte[] wire = bytes("SEND\ncontent-length:100\n\n" + repeat('x', 100) + "\0");

        assertThat(malformed(decode(wire, null, StompLimits.ofMaxFrameBytes(wire.length - 1))).problem())
                .isEqualTo(DecodeResult.Problem.FRAME_TOO_LARGE);
    }

    @Test
    void contentLengthLargerThanTheLimitIsTooLargeBeforeTheBodyArrives() {
        DecodeResult.Malformed error = malformed(decode("SEND\ncontent-length:100000\n"));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.FRAME_TOO_LARGE);
        assertThat(error.reason()).contains("65536");
    }

    @Test
    void sixtyFourHeadersAreAccepted() {
        assertThat(frame(decode(frameWithHeaders(64))).headers().size()).isEqualTo(64);
    }

    @Test
    void sixtyFifthHeaderIsMalformed() {
        DecodeResult.Malformed error = malformed(decode(frameWithHeaders(65)));

        assertThat(error.problem()).isEqualTo(DecodeResult.Problem.MALFORMED);
        assertThat(error.reason()).contains("64 headers");
    }

    @Test
    void headerLineOfExactlyTheLimitIsAccepted() {
        String value = repeat('v', StompLimits.DEFAULT_MAX_HEADER_LINE_BYTES - 2);

        assertThat(frame(decode("SEND\nx:" + value + "\r\n\n\0")).header("x")).isEqualTo(value);
    }

    @Test
    void headerLineLongerThanTheLimitIsMalformed() {
        String value = repeat('v', StompLimits.DEFAULT_MAX_HEADER_LINE_BYTES - 1);

        assertThat(malformed(decode("SEND\nx:" + value + "\n\n\0")).reason()).contains("8192");
    }

    @Test
    void headerLineLongerThanTheLimitIsMalformedWhileStillIncomplete() {
        String value = repeat('v', StompLimits.DEFAULT_MAX_HEADER_LINE_BYTES);

        assertThat(malformed(decode("SEND\nx:" + value)).reason()).contains("header line longer");
    }

    @Test
    void headerLineOfExactlyTheLimitSplitBetweenItsCarriageReturnAndLineFeedIsIncomplete() {
        // A trailing CR may be the first half of the CRLF that ends the line: not part of its length.
        String value = repeat('v', StompLimits.DEFAULT_MAX_HEADER_LINE_BYTES - 2);

        assertThat(decode("SEND\nx:" + value + "\r")).isInstanceOf(DecodeResult.Incomplete.class);
    }

    private static String frameWithHeaders(int count) {
        StringBuilder sb = new StringBuilder("SEND\n");
        for (int i = 0; i < count; i++) {
            sb.append("h").append(i).append(":v\n");
        }
        return sb.append("\n\0").toString();
    }
}
