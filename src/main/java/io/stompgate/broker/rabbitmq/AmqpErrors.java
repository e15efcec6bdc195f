package io.stompgate.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * What went wrong with the broker, in words an operator can act on. The Java
 * client hides the broker's own reason (say, {@code RESOURCE_LOCKED} for a queue
 * another connection still holds) inside a bare {@code IOException}; these dig it
 * out.
 */
final class AmqpErrors {

    private AmqpErrors() {
    }

    /** The shutdown signal behind {@code e}, if the broker closed a channel or the connection. */
    static ShutdownSignalException shutdownSignal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException s) {
                return s;
            }
        }
        return null;
    }

    /** The broker's reply text for a closed channel or connection. */
    static String replyText(ShutdownSignalException signal) {
        Object reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
            return close.getReplyText();
        }
        if (reason instanceof AMQP.Connection.Close close) {
            return close.getReplyText();
        }
        return signal.getMessage();
    }

    /** Who closed it and why: the node itself, or the broker in its own words. */
    static String describe(ShutdownSignalException cause) {
        return cause.isInitiatedByApplication() ? "closed by the node" : replyText(cause);
    }

    /** A failure with the broker's own words when it closed something, else the root cause. */
    static String failureText(Throwable e) {
        ShutdownSignalException signal = shutdownSignal(e);
        if (signal != null) {
            return e.getClass().getSimpleName() + ": " + describe(signal);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (caused by " + root + ")";
    }

    /** AMQP reply codes the node acts on. */
    static final int NOT_FOUND = 404;
    static final int ACCESS_REFUSED = 403;
    static final int PRECONDITION_FAILED = 406;

    /** The AMQP reply code of a channel the broker closed because of {@code e}, or 0. */
    static int channelReplyCode(Throwable e) {
        ShutdownSignalException signal = shutdownSignal(e);
        if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close) {
            return close.getReplyCode();
        }
        return 0;
    }

    /** A channel-level refusal (the broker closed one channel, the connection is fine). */
    static boolean isChannelRefusal(Throwable e) {
        ShutdownSignalException signal = shutdownSignal(e);
        return signal != null && !signal.isHardError();
    }
}
