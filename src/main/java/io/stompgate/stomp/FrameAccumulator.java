package io.stompgate.stomp;

import java.util.Arrays;

/**
 * One session's inbound byte stream, cut into frames. WebSocket messages do not
 * align with frames: one message may hold several frames, and one frame may be
 * split over several messages, so this buffers what a frame still lacks and
 * decodes a frame only when its bytes are all here.
 *
 * <p>Decoding is lazy ({@link #poll}) so that the session can switch the header
 * escaping rules after CONNECT before the next frame of the same message is read.
 * An idle session holds no buffer. After the first malformed frame the buffer is
 * dropped and every later poll reports the same error.
 *
 * <p>Not thread-safe: one session reads its own stream in order.
 */
public final class FrameAccumulator {

    /** Re-decode an incomplete frame at least this often, so limits are checked as bytes arrive. */
    private static final int RECHECK_BYTES = 1024;

    private final StompLimits limits;
    private byte[] buf;
    private int start;
    private int end;

    private DecodeResult.Awaiting awaiting;
    private int awaitingPosition;
    private int bufferedWhenAwaiting;
    private DecodeResult.Malformed failure;

    public FrameAccumulator(StompLimits limits) {
        this.limits = limits;
    }

    /** Adds bytes read from the network. Takes ownership of {@code chunk}: the caller must not change it. */
    public void append(byte[] chunk) {
        if (failure != null || chunk.length == 0) {
            return;
        }
        if (buf == null) {
            buf = chunk;
            start = 0;
            end = chunk.length;
            return;
        }
        int buffered = end - start;
        if (buf.length - end < chunk.length) {
            int needed = buffered + chunk.length;
            if (start > 0 && buf.length >= needed && buffered <= buf.length / 2) {
                System.arraycopy(buf, start, buf, 0, buffered);
            }
            else {
                byte[] grown = new byte[Math.max(needed, Math.min(buffered * 2, limits.maxFrameBytes() + 2))];
                System.arraycopy(buf, start, grown, 0, buffered);
                buf = grown;
            }
            start = 0;
            end = buffered;
        }
        System.arraycopy(chunk, 0, buf, end, chunk.length);
        end += chunk.length;
    }

    /**
     * The next frame, heart-beat or error; {@code null} when more bytes are needed.
     *
     * @param escaping the version whose escaping rules apply to header values, or
     *                 {@code null} while no version is negotiated
     */
    public DecodeResult poll(StompVersion escaping) {
        if (failure != null) {
            return failure;
        }
        if (buf == null) {
            return null;
        }
        int buffered = end - start;
        if (awaiting != null && !awaitedHasArrived(buffered)) {
            // The frame at the head has no end yet; if it already holds more than the limit, it is too large.
            if (buffered > limits.maxFrameBytes() + 2 && awaiting != DecodeResult.Awaiting.LENGTH) {
                return fail(new DecodeResult.Malformed(DecodeResult.Problem.FRAME_TOO_LARGE,
                        "frame larger than " + limits.maxFrameBytes() + " bytes"));
            }
            return null;
        }
        awaiting = null;
        DecodeResult result = StompDecoder.decode(buf, start, end, escaping, limits);
        if (result instanceof DecodeResult.Frame frame) {
            consumeTo(frame.end());
        }
        else if (result instanceof DecodeResult.HeartBeat beat) {
            consumeTo(beat.end());
        }
        else if (result instanceof DecodeResult.Incomplete incomplete) {
            awaiting = incomplete.awaiting();
            awaitingPosition = incomplete.position();
            bufferedWhenAwaiting = buffered;
            return null;
        }
        else {
            return fail((DecodeResult.Malformed) result);
        }
        return result;
    }

    /** Bytes held for a frame not yet complete. */
    public int bufferedBytes() {
        return buf == null ? 0 : end - start;
    }

    public boolean hasFailed() {
        return failure != null;
    }

    private boolean awaitedHasArrived(int buffered) {
        if (buffered - bufferedWhenAwaiting >= RECHECK_BYTES) {
            return true;
        }
        return switch (awaiting) {
            case LENGTH -> buffered >= awaitingPosition;
            // A NUL before the end of the headers is an error to report, so it counts as arrived too.
            case END_OF_LINE -> StompDecoder.indexOf(buf, (byte) '\n', start + awaitingPosition, end) >= 0
                    || StompDecoder.indexOf(buf, (byte) 0, start + awaitingPosition, end) >= 0;
            case NUL -> StompDecoder.indexOf(buf, (byte) 0, start + awaitingPosition, end) >= 0;
        };
    }

    private void consumeTo(int newStart) {
        start = newStart;
        if (start == end) {
            buf = null;
            start = 0;
            end = 0;
        }
    }

    private DecodeResult.Malformed fail(DecodeResult.Malformed malformed) {
        failure = malformed;
        buf = null;
        start = 0;
        end = 0;
        return malformed;
    }

    @Override
    public String toString() {
        return "FrameAccumulator[buffered=" + bufferedBytes() + (failure != null ? ", failed" : "") + "]";
    }

    // Visible for tests: the buffer's contents.
    byte[] snapshot() {
        return buf == null ? new byte[0] : Arrays.copyOfRange(buf, start, end);
    }
}
