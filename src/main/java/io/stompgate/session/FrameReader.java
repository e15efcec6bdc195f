package io.stompgate.session;

import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.FrameAccumulator;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import io.stompgate.stomp.StompVersion;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * A session's input: bytes in, frames handled one at a time and in order, more
 * bytes asked for only when the frames already read are done. A frame whose
 * handling completes at once (most do) is followed by the next without any
 * scheduling; one that waits (a SUBSCRIBE for its binding) holds the input until
 * it completes, on whatever thread completes it.
 *
 * <p>A hand-written loop rather than a chain of operators: it lives as long as
 * its connection, and a gateway holds tens of thousands of those.
 */
final class FrameReader implements CoreSubscriber<Void> {

    /** What the reader drives. */
    interface Handler {
        /** The frame's effect; may throw {@link StompProtocolException}. */
        Mono<Void> handle(StompFrame frame);

        /** Ends the session with an ERROR for {@code error}, echoing {@code receipt}. */
        void failed(Throwable error, String receipt);

        /** Once closed, input is read and dropped until the transport ends it. */
        boolean isClosed();

        /** The escaping rules for header values, {@code null} before CONNECTED. */
        StompVersion escaping();
    }

    private final FrameAccumulator accumulator;
    private final Handler handler;
    /** 0 while a frame's effect runs; the loop and the effect's end each add one; the second continues. */
    private final AtomicInteger handoff = new AtomicInteger();
    private volatile Runnable requestMore;
    private volatile String receipt;

    FrameReader(StompLimits limits, Handler handler) {
        this.accumulator = new FrameAccumulator(limits);
        this.handler = handler;
    }

    /** Starts reading: {@code requestMore} asks the transport for the next chunk. */
    void start(Runnable more) {
        this.requestMore = more;
        more.run();
    }

    /** The next chunk, which the reader asked for. */
    void onBytes(byte[] chunk) {
        if (!handler.isClosed()) {
            accumulator.append(chunk);
        }
        process();
    }

    private void process() {
        for (;;) {
            if (handler.isClosed()) {
                requestMore.run();
                return;
            }
            DecodeResult result = accumulator.poll(handler.escaping());
            if (result == null) {
                requestMore.run();
                return;
            }
            if (result instanceof DecodeResult.HeartBeat) {
                continue;
            }
            if (result instanceof DecodeResult.Malformed malformed) {
                handler.failed(new StompProtocolException(reasonOf(malformed), malformed.reason()), null);
                continue;
            }
            StompFrame frame = ((DecodeResult.Frame) result).frame();
            receipt = frame.header(StompHeaders.RECEIPT);
            Mono<Void> effect;
            try {
                effect = handler.handle(frame);
            }
            catch (RuntimeException e) {
                handler.failed(e, receipt);
                continue;
            }
            handoff.set(0);
            effect.subscribe(this);
            if (handoff.incrementAndGet() == 1) {
                return; // still running: its end continues the loop
            }
        }
    }

    private static ErrorReason reasonOf(DecodeResult.Malformed malformed) {
        return switch (malformed.problem()) {
            case UNKNOWN_COMMAND -> ErrorReason.UNKNOWN_COMMAND;
            case FRAME_TOO_LARGE -> ErrorReason.FRAME_TOO_LARGE;
            case MALFORMED -> ErrorReason.MALFORMED_FRAME;
        };
    }

    @Override
    public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void unused) {
    }

    @Override
    public void onError(Throwable error) {
        handler.failed(error, receipt);
        effectDone();
    }

    @Override
    public void onComplete() {
        effectDone();
    }

    private void effectDone() {
        if (handoff.incrementAndGet() == 2) {
            process(); // the loop had returned: carry on from here
        }
    }
}
