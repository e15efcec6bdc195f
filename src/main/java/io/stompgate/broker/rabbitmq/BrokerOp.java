package io.stompgate.broker.rabbitmq;

import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.MonoSink;

/**
 * One unit of work for the broker's io thread (a bind, a publish, a consume),
 * answered exactly once: when its effect is in place, when it fails, or when its
 * deadline passes first. The deadline runs on another thread, so {@code done}
 * settles the race between them.
 */
abstract class BrokerOp {

    final String what;
    private final MonoSink<?> sink;
    private final AtomicBoolean done = new AtomicBoolean();
    volatile ScheduledFuture<?> deadline;

    BrokerOp(String what, MonoSink<?> sink) {
        this.what = what;
        this.sink = sink;
    }

    /** Runs on the io thread with the connection up; may throw if it is going down. */
    abstract void run() throws IOException;

    /**
     * What must happen in the node's own record even when the broker never saw the
     * operation (it expired while parked): an unbind still forgets its binding, or the
     * next reconnect would restore it. Runs on the io thread.
     */
    void onExpired() {
    }

    /** Whether the operation has been answered. */
    final boolean isDone() {
        return done.get();
    }

    final void succeed() {
        if (finish()) {
            sink.success();
        }
    }

    @SuppressWarnings("unchecked")
    final <T> void succeedWith(T value) {
        if (finish()) {
            ((MonoSink<T>) sink).success(value);
        }
    }

    final void fail(Throwable error) {
        if (finish()) {
            sink.error(error);
        }
    }

    private boolean finish() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        return true;
    }
}
