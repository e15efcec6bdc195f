package io.stompgate.broker.rabbitmq;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The publishes the broker has not confirmed yet, by the publish channel's
 * sequence numbers, and the mandatory ones by message id (a {@code basic.return}
 * names its message only by its properties). Io thread only.
 */
final class PublisherConfirms {

    private final NavigableMap<Long, PublishOp> unconfirmed = new TreeMap<>();
    private final Map<String, PublishOp> mandatoryById = new HashMap<>();

    /** {@code op} went out as sequence number {@code seq}. */
    void sent(long seq, PublishOp op, boolean mandatory) {
        unconfirmed.put(seq, op);
        if (mandatory) {
            mandatoryById.put(op.messageId, op);
        }
    }

    /** The publishes a confirm for {@code seq} settles, oldest first. */
    List<PublishOp> confirm(long seq, boolean multiple) {
        List<PublishOp> settled;
        if (multiple) {
            NavigableMap<Long, PublishOp> head = unconfirmed.headMap(seq, true);
            settled = new ArrayList<>(head.values());
            head.clear();
        }
        else {
            PublishOp op = unconfirmed.remove(seq);
            settled = op == null ? List.of() : List.of(op);
        }
        for (PublishOp op : settled) {
            mandatoryById.remove(op.messageId);
        }
        return settled;
    }

    /** The broker returned the message {@code messageId}: no queue took it. */
    void returned(String messageId) {
        PublishOp op = messageId == null ? null : mandatoryById.get(messageId);
        if (op != null) {
            op.returned = true;
        }
    }

    /** Stops tracking {@code op} (it expired). */
    void forget(PublishOp op) {
        mandatoryById.remove(op.messageId);
        unconfirmed.values().remove(op);
    }

    /** Everything still unconfirmed, oldest first, no longer tracked: the channel is gone. */
    List<PublishOp> takeAll() {
        List<PublishOp> all = new ArrayList<>(unconfirmed.values());
        unconfirmed.clear();
        mandatoryById.clear();
        return all;
    }
}
