package io.stompgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.HistoryStart;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HistoryReplay} at the two edges a browser meets first: a room opened on a node
 * whose history is still empty, and a resume on a node that lags behind the one where the
 * client saw its last message.
 */
class HistoryReplayTest {

    private static final String PATTERN = "chat.lobby";

    private final List<Boolean> receipts = new ArrayList<>();
    private final List<Long> delivered = new ArrayList<>();

    private final HistoryReplay.Target target = new HistoryReplay.Target() {
        @Override
        public void ready(boolean recovered) {
            receipts.add(recovered);
        }

        @Override
        public void deliver(SharedMessage message, Runnable consumed) {
            delivered.add(Long.parseLong(new String(message.message().body(), StandardCharsets.UTF_8).substring(1)));
            consumed.run();
        }

        @Override
        public void tooFarBehind() {
            throw new AssertionError("not expected here");
        }

        @Override
        public void failed(Throwable error, boolean afterReady) {
            throw new AssertionError(error);
        }
    };

    private HistoryReplay replay(HistoryStart start, long livePosition) {
        return new HistoryReplay(PATTERN, start, livePosition, null, 100, target,
                (key, offset, message) -> shared(offset));
    }

    private static SharedMessage shared(long offset) {
        BrokerMessage message = new BrokerMessage(StompHeaders.EMPTY, ("m" + offset).getBytes(StandardCharsets.UTF_8));
        return new SharedMessage("/topic/" + PATTERN, message, StompHeaders.EMPTY, offset);
    }

    /** What the registry does with a live message: delivers it unless the replay takes it. */
    private void live(HistoryReplay replay, long offset) {
        if (!replay.offerLive(offset, shared(offset))) {
            delivered.add(offset);
        }
    }

    @Test
    void aSubscriptionFromFirstOnANodeThatHasDispatchedNoHistoryIsLiveAtOnceWithItsReceipt() {
        HistoryReplay replay = replay(new HistoryStart.First(), -1);

        assertThat(replay.needsRead()).as("an empty history has nothing to read").isFalse();
        replay.liveAtOnce();

        assertThat(receipts).containsExactly(true);
        assertThat(replay.isLive()).isTrue();
        live(replay, 0);
        live(replay, 1);
        assertThat(delivered).containsExactly(0L, 1L);
    }

    @Test
    void aResumeFromAnOffsetTheNodesHistoryNeverHadIsNotVouchedFor() {
        HistoryReplay replay = replay(new HistoryStart.Offset(43), -1);

        assertThat(replay.needsRead()).isFalse();
        replay.liveAtOnce();

        assertThat(receipts).as("x-stream-recovered").containsExactly(false);
    }

    @Test
    void aResumeFromOffsetZeroOnAnEmptyHistoryMissedNothing() {
        HistoryReplay replay = replay(new HistoryStart.Offset(0), -1);

        replay.liveAtOnce();

        assertThat(receipts).containsExactly(true);
    }

    @Test
    void aResumeOnALaggingNodeDoesNotDeliverAgainWhatCameBeforeItsStart() {
        // The client saw up to offset 10 on another node; this one has dispatched up to 8.
        HistoryReplay replay = replay(new HistoryStart.Offset(11), 8);

        assertThat(replay.needsRead()).isFalse();
        replay.liveAtOnce();
        for (long offset = 9; offset <= 13; offset++) {
            live(replay, offset);
        }

        assertThat(receipts).containsExactly(true);
        assertThat(delivered).containsExactly(11L, 12L, 13L);
    }

    @Test
    void aNodeThatHasDispatchedHistoryStillReadsItForFirst() {
        HistoryReplay replay = replay(new HistoryStart.First(), 5);

        assertThat(replay.needsRead()).isTrue();
    }
}
