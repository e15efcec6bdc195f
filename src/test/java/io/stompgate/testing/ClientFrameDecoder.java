package io.stompgate.testing;

import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.FrameAccumulator;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import io.stompgate.stomp.StompVersion;

/**
 * What a server writes, read the way a STOMP client reads it: bytes in whatever pieces the
 * transport delivers them, frames and heart-beats out, header values unescaped by the rules of
 * the version the {@code CONNECTED} frame names. The one decoder of the test clients
 * ({@link RawStompClient}, {@link StalledWebSocketClient} and the in-memory client of the session
 * tests), so they cannot disagree on what the server said. (Spring's client in
 * {@link SpringStompClient} keeps Spring's own decoder: that client is what its tests exercise.)
 *
 * <p>Bytes that are no STOMP frame are a test failure ({@link AssertionError}), never a frame
 * skipped. One per connection; not thread-safe.
 */
public final class ClientFrameDecoder {

    /** A client takes anything a server may write: frames up to 16 MiB, 1024 headers, 1 MiB header lines. */
    private static final StompLimits LIMITS = new StompLimits(16 << 20, 1024, 1 << 20);

    private final FrameAccumulator accumulator = new FrameAccumulator(LIMITS);
    private StompVersion escaping;

    /** Adds bytes the server wrote; takes ownership of {@code bytes}. */
    public void append(byte[] bytes) {
        accumulator.append(bytes);
    }

    /**
     * The next frame ({@link DecodeResult.Frame}) or heart-beat ({@link DecodeResult.HeartBeat});
     * {@code null} when the bytes so far end inside a frame.
     *
     * @throws AssertionError when the server's bytes are not a STOMP frame
     */
    public DecodeResult poll() {
        DecodeResult result = accumulator.poll(escaping);
        if (result instanceof DecodeResult.Frame f && f.frame().command() == StompCommand.CONNECTED) {
            escaping = negotiated(f.frame());
        }
        else if (result instanceof DecodeResult.Malformed malformed) {
            throw new AssertionError("the server wrote bytes that are not a STOMP frame: " + malformed.reason());
        }
        return result;
    }

    /** Bytes of a frame not complete yet. */
    public int bufferedBytes() {
        return accumulator.bufferedBytes();
    }

    /** The version a CONNECTED frame names (1.0 when it names none, as a 1.0 server would). */
    private static StompVersion negotiated(StompFrame connected) {
        return StompVersion.negotiate(connected.header(StompHeaders.VERSION)).orElseThrow(() ->
                new AssertionError("CONNECTED names no version this client knows: " + connected.headers()));
    }
}
