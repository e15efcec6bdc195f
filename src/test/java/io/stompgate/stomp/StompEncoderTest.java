package io.stompgate.stomp;

import static io.stompgate.stomp.Wire.bytes;
import static io.stompgate.stomp.Wire.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StompEncoderTest {

    private static final StompFrame MESSAGE = new StompFrame(StompCommand.MESSAGE,
            StompHeaders.of(
                    "destination", "/topic/a",
                    "subscription", "s1",
                    "message-id", "m-7",
                    "content-length", "2"),
            bytes("hi"));

    @Test
    void messageFrameIsEncodedToTheExactBytes() {
        assertThat(StompEncoder.encode(MESSAGE, StompVersion.V1_2)).isEqualTo(
                bytes("MESSAGE\ndestination:/topic/a\nsubscription:s1\nmessage-id:m-7\ncontent-length:2\n\nhi\0"));
    }

    @Test
    void errorFrameCarriesItsMessageAsHeaderAndBodyWithContentLength() {
        assertThat(text(StompEncoder.encode(StompFrame.error("n\u00e4y", "r-1"), StompVersion.V1_2)))
                .isEqualTo("ERROR\nmessage:n\u00e4y\ncontent-type:text/plain\nreceipt-id:r-1\ncontent-length:4\n\nn\u00e4y\0");
    }

    @Test
    void frameWithoutHeadersOrBodyIsCommandBlankLineAndNul() {
        assertThat(text(StompEncoder.encode(StompFrame.of(StompCommand.DISCONNECT), StompVersion.V1_2)))
                .isEqualTo("DISCONNECT\n\n\0");
    }

    @Test
    void headersAreWrittenInOrderWithRepeats() {
        StompFrame frame = StompFrame.of(StompCommand.SEND, "b", "1", "a", "2", "b", "3");

        assertThat(text(StompEncoder.encode(frame, StompVersion.V1_2))).isEqualTo("SEND\nb:1\na:2\nb:3\n\n\0");
    }

    @Test
    void bodyIsWrittenVerbatimNulsIncluded() {
        StompFrame frame = new StompFrame(StompCommand.SEND, StompHeaders.of("content-length", "3"), new byte[] {0, 'x', 0});

        assertThat(StompEncoder.encode(frame, StompVersion.V1_2)).endsWith(0, 'x', 0, 0);
    }

    @Test
    void encoderDoesNotAddContentLength() {
        StompFrame frame = new StompFrame(StompCommand.SEND, StompHeaders.EMPTY, bytes("abc"));

        assertThat(text(StompEncoder.encode(frame, StompVersion.V1_2))).isEqualTo("SEND\n\nabc\0");
    }

    @Test
    void nonAsciiHeadersAreWrittenAsUtf8() {
        StompFrame frame = StompFrame.of(StompCommand.SEND, "\u00fc", "\u20ac\uD83D\uDE00");

        assertThat(StompEncoder.encode(frame, StompVersion.V1_2))
                .isEqualTo("SEND\n\u00fc:\u20ac\uD83D\uDE00\n\n\0".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodingIntoAByteBufAppendsAtItsWriterIndex() {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeByte('\n');

            StompEncoder.encode(MESSAGE, StompVersion.V1_2, out);

            byte[] written = ByteBufUtil.getBytes(out);
            assertThat(written[0]).isEqualTo((byte) '\n');
            assertThat(text(written).substring(1)).isEqualTo(text(StompEncoder.encode(MESSAGE, StompVersion.V1_2)));
        }
        finally {
            out.release();
        }
    }

    @Test
    void piecesWrittenOneByOneGiveTheSameBytesAsEncode() {
        ByteBuf out = Unpooled.buffer();
        try {
            StompEncoder.writeCommand(MESSAGE.command(), out);
            MESSAGE.headers().forEach((name, value) -> StompEncoder.writeHeader(name, value, StompVersion.V1_2, out));
            StompEncoder.writeEndOfHeaders(out);
            StompEncoder.writeBodyAndNul(MESSAGE.body(), out);

            assertThat(ByteBufUtil.getBytes(out)).isEqualTo(StompEncoder.encode(MESSAGE, StompVersion.V1_2));
        }
        finally {
            out.release();
        }
    }

    @Test
    void estimatedSizeFitsAnAsciiFrame() {
        assertThat(StompEncoder.estimateSize(MESSAGE)).isGreaterThanOrEqualTo(StompEncoder.encode(MESSAGE, StompVersion.V1_2).length);
    }

    @Test
    void encodedFrameDecodesBackToItself() {
        byte[] wire = StompEncoder.encode(MESSAGE, StompVersion.V1_2);

        assertThat(StompDecoder.decode(wire, 0, wire.length, StompVersion.V1_2, StompLimits.DEFAULTS))
                .isEqualTo(new DecodeResult.Frame(MESSAGE, wire.length));
    }
}
