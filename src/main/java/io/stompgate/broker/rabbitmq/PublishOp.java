package io.stompgate.broker.rabbitmq;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.Publication;
import io.stompgate.broker.UnroutableException;
import java.io.IOException;
import reactor.core.publisher.MonoSink;

/**
 * A publication on its way to the broker: answered when the broker confirms it
 * (or returns or refuses it). Published again, with the same message id, when the
 * connection drops before the confirm, so receiving nodes can tell the copy.
 */
final class PublishOp extends BrokerOp {

    /** Sends a publish on the io thread. */
    @FunctionalInterface
    interface Sender {
        void send(PublishOp op) throws IOException;
    }

    final Publication publication;
    final String messageId;
    private final Sender sender;
    /** The broker returned it (mandatory, no queue took it); settled when its confirm comes. */
    volatile boolean returned;
    /** Already published a second time after its {@code /queue} was declared again. */
    private boolean retried;

    PublishOp(MonoSink<Void> sink, Publication publication, String messageId, Sender sender) {
        super("publish", sink);
        this.publication = publication;
        this.messageId = messageId;
        this.sender = sender;
    }

    @Override
    void run() throws IOException {
        sender.send(this);
    }

    /** The {@code /queue/<name>} it goes to, or {@code null}. */
    String queue() {
        return publication.address() instanceof Address.Queue queue ? queue.name() : null;
    }

    /**
     * Settles on the broker's confirm ({@code ack}) or refusal.
     *
     * @return whether it must be published once more: it was returned because its durable queue
     *         was deleted behind the node's back, and the caller declares the queue again first
     */
    boolean settle(boolean ack) {
        Address address = publication.address();
        if (!ack) {
            fail(new BrokerException("the broker refused the message"));
        }
        else if (returned && address instanceof Address.App app) {
            fail(new UnroutableException("no application backend is bound for '/app/" + app.key() + "'"));
        }
        else if (returned && address instanceof Address.Queue queue) {
            returned = false;
            if (!retried) {
                retried = true;
                return true;
            }
            fail(new BrokerException("queue '" + queue.name() + "' could not be declared again"));
        }
        else {
            succeed();
        }
        return false;
    }
}
