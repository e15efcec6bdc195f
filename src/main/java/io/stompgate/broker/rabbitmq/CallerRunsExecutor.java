package io.stompgate.broker.rabbitmq;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the RabbitMQ client's consumer callbacks on the connection's own reader
 * thread instead of handing each delivery to a pool thread: one thread wake-up
 * less per message, which is most of a delivery's latency on a small machine.
 * Safe because every callback here only hands work on without blocking (the
 * fan-out enqueues to sessions; everything else goes to the broker's io thread)
 * and none makes a blocking RPC on the connection.
 */
final class CallerRunsExecutor extends AbstractExecutorService {

    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
