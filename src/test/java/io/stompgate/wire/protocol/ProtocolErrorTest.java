package io.stompgate.wire.protocol;

import static io.stompgate.testing.ErrorAssertions.assertErrorThenClose;
import static io.stompgate.testing.GatewayAssertions.assertNodeServesNewSession;
import static io.stompgate.testing.Frames.frame;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.TunedGatewayTest;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protocol and destination error of the contract (sections 2 and 4): the
 * offending session gets one ERROR whose {@code message} says what was wrong, then
 * its connection closes; a session that was open alongside keeps working, and the
 * node still serves new sessions.
 */
class ProtocolErrorTest extends TunedGatewayTest {

    private static final int MAX_FRAME_BYTES = 65_536;
    private static final int MIB = 1 << 20;

    /** A SEND of exactly {@code totalBytes} bytes, command to NUL, without content-length. */
    static String sendOfSize(int totalBytes) {
        String head = "SEND\ndestination:/topic/big\n\n";
        return head + "x".repeat(totalBytes - head.length() - 1) + "\0";
    }

    private static Arguments afterConnect(String name, String expected, Consumer<RawStompClient> offend) {
        return Arguments.of(name, true, expected, offend);
    }

    private static Arguments beforeConnect(String name, String expected, Consumer<RawStompClient> offend) {
        return Arguments.of(name, false, expected, offend);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                afterConnect("malformed frame: header line without a colon", "header line without ':'",
                        c -> c.sendText("SEND\ndestination:/topic/a\nno colon here\n\nx\0")),
                afterConnect("malformed frame: content-length not a number", "content-length",
                        c -> c.sendText("SEND\ndestination:/topic/a\ncontent-length:ten\n\nx\0")),
                afterConnect("malformed frame: body not followed by NUL", "NUL",
                        c -> c.sendText("SEND\ndestination:/topic/a\ncontent-length:1\n\nxyz\0")),
                afterConnect("unknown command", "unknown command 'FOO'",
                        c -> c.sendText("FOO\n\n\0")),
                afterConnect("SUBSCRIBE missing destination", "'destination'",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s"))),
                afterConnect("SUBSCRIBE missing id", "'id'",
                        c -> c.sendText(frame("SUBSCRIBE", "destination", "/topic/a"))),
                afterConnect("SEND missing destination", "'destination'",
                        c -> c.sendText("SEND\n\nbody\0")),
                afterConnect("ACK missing id", "'id'",
                        c -> c.sendText(frame("ACK"))),
                afterConnect("BEGIN missing transaction", "'transaction'",
                        c -> c.sendText(frame("BEGIN"))),
                afterConnect("frame of 70,000 bytes", "frame larger than " + MAX_FRAME_BYTES + " bytes",
                        c -> c.sendText(sendOfSize(70_000))),
                afterConnect("frame of 1 MiB in one message", "frame larger than " + MAX_FRAME_BYTES + " bytes",
                        c -> c.sendText(sendOfSize(MIB))),
                afterConnect("frame of 1 MiB over 16 messages", "frame larger than " + MAX_FRAME_BYTES + " bytes",
                        c -> {
                            String big = sendOfSize(MIB);
                            for (int i = 0; i < 16; i++) {
                                c.sendText(big.substring(i * big.length() / 16, (i + 1) * big.length() / 16));
                            }
                        }),
                afterConnect("frame of 2 MiB, beyond the WebSocket message limit", "frame larger than " + MAX_FRAME_BYTES + " bytes",
                        c -> c.sendText(sendOfSize(2 * MIB))),
                afterConnect("content-length over the limit", "frame larger than " + MAX_FRAME_BYTES + " bytes",
                        c -> c.sendText("SEND\ndestination:/topic/a\ncontent-length:70000\n\n")),
                beforeConnect("frame before CONNECT", "before CONNECT",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s", "destination", "/topic/a"))),
                afterConnect("SUBSCRIBE to an unknown destination", "unknown destination '/nowhere/x'",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s", "destination", "/nowhere/x"))),
                afterConnect("SEND to an unknown destination", "unknown destination '/nowhere/x'",
                        c -> c.sendText(send("/nowhere/x", "lost"))),
                afterConnect("SEND to /user/queue/x", "/user/queue",
                        c -> c.sendText(send("/user/queue/x", "to whom?"))),
                afterConnect("SUBSCRIBE to /app/x", "/app",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s", "destination", "/app/x"))),
                afterConnect("SUBSCRIBE to another user's queue", "another user",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s", "destination", "/user/other/queue/x"))),
                afterConnect("SEND to /app with no handler", "no application handler for '/app/nohandler'",
                        c -> c.sendText(send("/app/nohandler", "anyone?"))),
                afterConnect("header value that is not UTF-8", "header line is not valid UTF-8",
                        c -> c.sendBinary(concat("SEND\ndestination:/topic/a\nx-bad:", new byte[] {(byte) 0xc0, (byte) 0xaf}, "\n\nbody\0"))),
                afterConnect("destination that is not UTF-8", "header line is not valid UTF-8",
                        c -> c.sendBinary(concat("SEND\ndestination:/topic/", new byte[] {(byte) 0xff}, "\n\nbody\0"))),
                afterConnect("SEND to a queue named with a wildcard", "cannot hold the wildcard '*'",
                        c -> c.sendText(send("/queue/*", "everywhere?"))),
                afterConnect("SUBSCRIBE to a queue named with a wildcard", "cannot hold the wildcard '#'",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s", "destination", "/queue/jobs.#"))),
                afterConnect("SUBSCRIBE to a user queue named with a wildcard", "cannot hold the wildcard '*'",
                        c -> c.sendText(frame("SUBSCRIBE", "id", "s", "destination", "/user/queue/*"))));
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void protocolErrorGetsErrorWithMessageThenCloseAndTheNodeCarriesOn(String name, boolean connectFirst, String expected,
            Consumer<RawStompClient> offend) {
        RawStompClient bystander = client("bystander");
        bystander.subscribe("b", "/topic/bystander");
        RawStompClient offender = clients.track(RawStompClient.connectAs(port, "offender"));
        if (connectFirst) {
            offender.connectStomp();
        }

        offend.accept(offender);

        assertErrorThenClose(offender, expected);
        bystander.sendText(send("/topic/bystander", "still here"));
        assertThat(RawStompClient.text(bystander.expectMessage())).isEqualTo("still here");
        assertNodeServesNewSession(port);
    }

    @Test
    void subscriptionBeyondMaxSubscriptionsGetsErrorThenClose() {
        RawStompClient greedy = client("greedy");
        for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) {
            greedy.subscribe("s" + i, "/topic/greedy." + i);
        }

        greedy.sendText(frame("SUBSCRIBE", "id", "one-too-many", "destination", "/topic/greedy.more"));

        StompFrame error = assertErrorThenClose(greedy, "too many subscriptions");
        assertThat(error.header("message")).contains(Integer.toString(MAX_SUBSCRIPTIONS));
        assertNodeServesNewSession(port);
    }

    @Test
    void connectWithNoCommonVersionGetsErrorThenClose() {
        RawStompClient future = clients.track(RawStompClient.connectAs(port, "future"));

        future.sendConnect("accept-version", "2.0");

        assertErrorThenClose(future, "1.0,1.1,1.2");
        assertNodeServesNewSession(port);
    }
}
