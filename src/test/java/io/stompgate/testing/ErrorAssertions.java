package io.stompgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;

/**
 * The one check for "an ERROR whose {@code message} says X", whichever client read the frame
 * (a session under test in memory, or a real gateway over WebSocket), so every test judges an
 * ERROR the same way and names the frame it got when it fails.
 */
public final class ErrorAssertions {

    private ErrorAssertions() {
    }

    /** {@code frame} is an ERROR whose {@code message} header contains every one of {@code fragments}; returns it. */
    public static StompFrame assertError(StompFrame frame, String... fragments) {
        assertThat(frame).as("a frame (an ERROR was expected)").isNotNull();
        String shown = RawStompClient.describe(frame);
        assertThat(frame.command()).as("command of %s", shown).isEqualTo(StompCommand.ERROR);
        assertThat(frame.header("message")).as("message header of %s", shown).isNotNull().contains(fragments);
        return frame;
    }

    /**
     * The next ERROR {@code client} receives (frames before it are skipped) contains every one of
     * {@code fragments} in its {@code message}, and the server closes the connection after it.
     */
    public static StompFrame assertErrorThenClose(RawStompClient client, String... fragments) {
        StompFrame error = assertError(client.expect(f -> f.command() == StompCommand.ERROR, RawStompClient.TIMEOUT),
                fragments);
        assertThat(client.awaitClosed(RawStompClient.TIMEOUT)).as("connection closed after ERROR").isTrue();
        return error;
    }
}
