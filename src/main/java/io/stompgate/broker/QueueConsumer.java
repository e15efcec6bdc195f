package io.stompgate.broker;

import reactor.core.publisher.Mono;

/** A live consumer of a shared queue, as returned once the broker has registered it. */
public interface QueueConsumer {

    /**
     * Stops deliveries; every delivery not yet acknowledged goes back to the queue.
     * Idempotent.
     */
    Mono<Void> cancel();
}
