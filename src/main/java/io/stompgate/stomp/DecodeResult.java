package io.stompgate.stomp;

/**
 * What {@link StompDecoder#decode} found at the start of its input. Errors are
 * values, not exceptions: a malformed frame is an expected input from a network
 * peer and ends in one ERROR frame, never in a stack trace.
 */
public sealed interface DecodeResult {

    /** A whole frame; {@code end} is the offset just past its NUL octet. */
    record Frame(StompFrame frame, int end) implements DecodeResult { }

    /** One end-of-line between frames: a heart-beat. {@code end} is the offset past it. */
    record HeartBeat(int end) implements DecodeResult { }

    /** The input breaks the protocol or a limit; {@code reason} says how, fit for an ERROR {@code message}. */
    record Malformed(Problem problem, String reason) implements DecodeResult {

        static Malformed of(String reason) {
            return new Malformed(Problem.MALFORMED, reason);
        }
    }

    /** The kind of a decoding error, few enough to tag a metric with. */
    enum Problem {
        /** The first line names no STOMP command. */
        UNKNOWN_COMMAND,
        /** The frame breaks {@link StompLimits#maxFrameBytes()}. */
        FRAME_TOO_LARGE,
        /** Any other violation of the frame syntax or the header limits. */
        MALFORMED
    }

    /**
     * The frame is not complete yet. Nothing was consumed. {@code awaiting} says
     * what must arrive before decoding again can make progress, so that feeding a
     * frame one byte at a time does not re-scan it from the start each time.
     */
    record Incomplete(Awaiting awaiting, int position) implements DecodeResult { }

    /** What an incomplete frame waits for; positions count from the frame's first byte. */
    enum Awaiting {
        /** A line feed at or after {@code position}: the end of the line being read. */
        END_OF_LINE,
        /** A NUL octet at or after {@code position}: the end of a body without content-length. */
        NUL,
        /** At least {@code position} bytes from the frame's first byte. */
        LENGTH
    }
}
