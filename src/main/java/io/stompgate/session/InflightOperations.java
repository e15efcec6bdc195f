package io.stompgate.session;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Counts a session's operations that were started but have not completed (SENDs
 * awaiting a publisher confirm), so the session can stop reading while too many
 * are open and can wait for all of them before it answers DISCONNECT.
 */
final class InflightOperations {

    private int count;
    private final List<Waiter> waiters = new ArrayList<>(1);

    private record Waiter(int below, MonoSink<Void> sink) { }

    synchronized void begin() {
        count++;
    }

    void end() {
        List<Waiter> ready = null;
        synchronized (this) {
            count--;
            for (int i = waiters.size() - 1; i >= 0; i--) {
                Waiter w = waiters.get(i);
                if (count < w.below) {
                    if (ready == null) {
                        ready = new ArrayList<>(1);
                    }
                    ready.add(waiters.remove(i));
                }
            }
        }
        if (ready != null) {
            ready.forEach(w -> w.sink.success());
        }
    }

    /** Completes once fewer than {@code limit} operations are open. */
    Mono<Void> whenBelow(int limit) {
        synchronized (this) {
            if (count < limit) {
                return Mono.empty();
            }
        }
        return Mono.create(sink -> {
            boolean now;
            synchronized (this) {
                now = count < limit;
                if (!now) {
                    waiters.add(new Waiter(limit, sink));
                }
            }
            if (now) {
                sink.success();
            }
        });
    }

    /** Completes once no operation is open. */
    Mono<Void> whenIdle() {
        return whenBelow(1);
    }
}
