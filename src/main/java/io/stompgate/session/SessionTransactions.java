package io.stompgate.session;

import io.stompgate.stomp.StompFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's open transactions: the SEND, ACK and NACK frames buffered between
 * BEGIN and COMMIT or ABORT, bounded in count, frames and bytes so that a client
 * cannot make the node hold unbounded input. Touched only by the session's frame
 * handler, which runs one frame at a time, so it needs no locking.
 */
final class SessionTransactions {

    private final SessionOptions options;
    private final Map<String, List<StompFrame>> open = new HashMap<>();
    /** Bytes buffered by all open transactions (an estimate: bodies and headers). */
    private long bytes;

    SessionTransactions(SessionOptions options) {
        this.options = options;
    }

    void begin(String tx) {
        if (open.containsKey(tx)) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, "transaction '" + tx + "' has already begun");
        }
        if (open.size() >= options.maxTransactions()) {
            throw new StompProtocolException(ErrorReason.LIMIT,
                    "too many open transactions: a session may hold " + options.maxTransactions());
        }
        open.put(tx, new ArrayList<>());
    }

    /** Holds {@code frame} until {@code tx} ends. */
    void buffer(String tx, StompFrame frame) {
        List<StompFrame> frames = frames(tx);
        if (frames.size() >= options.maxTransactionFrames()) {
            throw new StompProtocolException(ErrorReason.LIMIT,
                    "transaction '" + tx + "' holds more than " + options.maxTransactionFrames() + " frames");
        }
        long size = sizeOf(frame);
        if (bytes + size > options.maxTransactionBytes()) {
            throw new StompProtocolException(ErrorReason.LIMIT, "open transactions hold more than "
                    + options.maxTransactionBytes() + " bytes");
        }
        bytes += size;
        frames.add(frame);
    }

    /** Ends {@code tx} and returns its frames, in the order they were buffered, to be carried out. */
    List<StompFrame> commit(String tx) {
        return end(tx);
    }

    /** Ends {@code tx}, dropping its frames. */
    void abort(String tx) {
        end(tx);
    }

    /** Drops every open transaction (the session is closing). */
    void clear() {
        open.clear();
        bytes = 0;
    }

    private List<StompFrame> end(String tx) {
        List<StompFrame> frames = frames(tx);
        open.remove(tx);
        for (StompFrame f : frames) {
            bytes -= sizeOf(f);
        }
        return frames;
    }

    private List<StompFrame> frames(String tx) {
        List<StompFrame> frames = open.get(tx);
        if (frames == null) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, "unknown transaction '" + tx + "'");
        }
        return frames;
    }

    private static long sizeOf(StompFrame frame) {
        return frame.body().length + 64L * (frame.headers().size() + 1);
    }
}
