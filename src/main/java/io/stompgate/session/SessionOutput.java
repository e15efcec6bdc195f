package io.stompgate.session;

import io.stompgate.stomp.StompCommand;
import java.util.concurrent.Executor;
import reactor.core.publisher.Flux;

/**
 * What a session sends: its bounded outbound queue, the slow-consumer rule (a
 * full queue closes the session) and the accounting of what was written (metrics,
 * the last write for heart-beats, each item's own callback).
 */
final class SessionOutput {

    private final OutboundQueue queue;
    private final SessionMetrics metrics;
    private final SessionTimers timers;
    private final Runnable slowConsumer;

    /** @param slowConsumer closes the session when its queue is full */
    SessionOutput(int capacity, SessionMetrics metrics, SessionTimers timers, Runnable slowConsumer) {
        this.queue = new OutboundQueue(capacity);
        this.metrics = metrics;
        this.timers = timers;
        this.slowConsumer = slowConsumer;
    }

    /** The items to write, in order; taking one counts as writing it. */
    Flux<OutboundItem> items() {
        return Flux.from(queue).doOnNext(this::written);
    }

    void drainOn(Executor executor) {
        queue.drainOn(executor);
    }

    /** Queues {@code item}; false if it was not (the session is closing, or its queue is full). */
    boolean enqueue(OutboundItem item) {
        OutboundQueue.Offer offer = queue.offer(item);
        if (offer == OutboundQueue.Offer.ACCEPTED) {
            metrics.outboundQueueDepth(queue.size());
            return true;
        }
        if (offer == OutboundQueue.Offer.FULL) {
            metrics.slowConsumerDisconnect();
            slowConsumer.run();
        }
        return false;
    }

    /** Accepts nothing more; {@code last} (may be null) goes after the backlog, or instead of it. */
    void finish(OutboundItem last, boolean dropBacklog) {
        queue.finish(last, dropBacklog);
    }

    private void written(OutboundItem item) {
        timers.markWritten();
        StompCommand command = item.command();
        if (command != null) {
            metrics.frameSent(command);
            if (command == StompCommand.MESSAGE) {
                // Counted when written, not when queued: a slow consumer's dropped backlog was never delivered.
                metrics.messageDelivered();
            }
        }
        item.onWritten();
    }
}
