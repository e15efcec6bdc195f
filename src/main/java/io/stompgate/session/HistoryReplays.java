package io.stompgate.session;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.History;
import io.stompgate.broker.HistoryStart;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * How a session's SUBSCRIBE with {@code x-stream-offset} gets its {@link HistoryReplay}:
 * registered at the node's live position, then read from the broker once the
 * subscription's pattern is in place (docs/protocol.md §7.3).
 */
final class HistoryReplays {

    /** The SUBSCRIBE header naming where to start, and the MESSAGE header with each message's offset. */
    static final String STREAM_OFFSET = SharedMessage.STREAM_OFFSET;
    /** The RECEIPT header: whether everything from the requested start was still retained. */
    static final String RECOVERED = "x-stream-recovered";

    private HistoryReplays() {
    }

    /**
     * Registers {@code sub} with a replay from {@code start}; completes when the replay is ready
     * (its RECEIPT, through {@code onReady}, went out) or fails.
     */
    static Mono<Void> subscribe(SessionContext ctx, StompSession session, Subscription sub, String pattern,
            HistoryStart start, Consumer<Boolean> onReady) {
        return Mono.create(sink -> {
            HistoryReplay.Target target = new HistoryReplay.Target() {
                @Override
                public void ready(boolean recovered) {
                    onReady.accept(recovered);
                    sink.success();
                }

                @Override
                public void deliver(SharedMessage message, Runnable consumed) {
                    session.deliver(sub, message, consumed);
                }

                @Override
                public void tooFarBehind() {
                    session.historyFailed(ErrorReason.SLOW_CONSUMER, "slow consumer");
                }

                @Override
                public void failed(Throwable error, boolean afterReady) {
                    String why = error instanceof BrokerException && error.getMessage() != null
                            ? error.getMessage() : "broker unavailable";
                    if (afterReady) {
                        session.historyFailed(ErrorReason.BROKER, "could not read the history of '"
                                + Destinations.abbreviate(sub.destination()) + "': " + why);
                    }
                    else {
                        sink.error(new BrokerException("could not read the history: " + why));
                    }
                }
            };
            Boolean recoveredIfKnown = recoveredIfKnown(ctx, start);
            int maxHeldBack = ctx.options().outboundFrames();
            Mono<Void> bound = ctx.registry().subscribeTopicFrom(sub, pattern, position -> new HistoryReplay(pattern,
                    start, position, recoveredIfKnown, maxHeldBack, target, (key, offset, message) ->
                    new SharedMessage(Destinations.TOPIC + key, message, ctx.registry().nodeHeaders(), offset)));
            bound.subscribe(null, sink::error, () -> {
                HistoryReplay replay = sub.replay();
                if (replay.needsRead()) {
                    replay.reading(ctx.broker().readHistory(start, replay));
                }
                else {
                    replay.liveAtOnce();
                }
            });
        });
    }

    /**
     * For a timestamp start, whether it lies within the retention period: a read cannot tell
     * whether messages after it were already dropped, so the period decides. Null otherwise.
     */
    private static Boolean recoveredIfKnown(SessionContext ctx, HistoryStart start) {
        if (start instanceof HistoryStart.Timestamp t) {
            History history = ctx.broker().history();
            long now = ctx.timer().now(TimeUnit.MILLISECONDS);
            return t.epochSeconds() * 1000 >= now - history.maxAge().toMillis();
        }
        return null;
    }

    /**
     * The SUBSCRIBE's {@code x-stream-offset}, or null when it reads no history (absent, or
     * {@code next}).
     *
     * @throws StompProtocolException when the destination keeps no history or the value is malformed
     */
    static HistoryStart startOf(History history, StompFrame frame, String destination, Address address) {
        String header = frame.header(STREAM_OFFSET);
        if (header == null) {
            return null;
        }
        if (!(address instanceof Address.Topic topic) || !history.covers(topic.key())) {
            throw new StompProtocolException(ErrorReason.DESTINATION, "destination '" + Destinations.abbreviate(destination)
                    + "' keeps no history: x-stream-offset needs a topic under gateway.history.destinations");
        }
        try {
            HistoryStart start = HistoryStart.parse(header);
            return start instanceof HistoryStart.Next ? null : start;
        }
        catch (IllegalArgumentException e) {
            throw new StompProtocolException(ErrorReason.PROTOCOL, e.getMessage());
        }
    }

    /** The RECEIPT of a SUBSCRIBE that reads the history. */
    static StompFrame receipt(String receiptId, boolean recovered) {
        return StompFrame.of(StompCommand.RECEIPT, StompHeaders.builder()
                .add(StompHeaders.RECEIPT_ID, receiptId)
                .add(RECOVERED, Boolean.toString(recovered))
                .build());
    }
}
