package io.stompgate.stomp;

/**
 * The limits the decoder enforces while it reads, before it allocates anything
 * for a frame that would break them.
 *
 * @param maxFrameBytes      a frame, command through NUL, may not be longer than this
 * @param maxHeaders         a frame may not carry more headers than this
 * @param maxHeaderLineBytes a command or header line may not be longer than this
 */
public record StompLimits(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
    public static final int DEFAULT_MAX_HEADERS = 64;
    public static final int DEFAULT_MAX_HEADER_LINE_BYTES = 8_192;

    public static final StompLimits DEFAULTS =
            new StompLimits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_HEADERS, DEFAULT_MAX_HEADER_LINE_BYTES);

    public StompLimits {
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 64, was " + maxFrameBytes);
        }
        if (maxHeaders < 1) {
            throw new IllegalArgumentException("maxHeaders must be at least 1, was " + maxHeaders);
        }
        if (maxHeaderLineBytes < 16) {
            throw new IllegalArgumentException("maxHeaderLineBytes must be at least 16, was " + maxHeaderLineBytes);
        }
    }

    public static StompLimits ofMaxFrameBytes(int maxFrameBytes) {
        return of(maxFrameBytes, DEFAULT_MAX_HEADERS, DEFAULT_MAX_HEADER_LINE_BYTES);
    }

    /** The limits, with the header line limit brought down to the frame limit: a line never exceeds its frame. */
    public static StompLimits of(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes) {
        return new StompLimits(maxFrameBytes, maxHeaders, Math.min(maxHeaderLineBytes, maxFrameBytes));
    }
}
