package io.stompgate.session;

import io.stompgate.stomp.HeartBeat;
import io.stompgate.stomp.StompLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * The per-session settings, fixed at start-up.
 *
 * @param limits               what the decoder accepts
 * @param heartBeat            what CONNECTED offers: {@code sendMs} is how often the server can
 *                             send beats, {@code receiveMs} how often it wants the client's; the
 *                             default offer, to a client that asks for nothing
 * @param heartBeatFloorMs     the shortest heart-beat interval a client may ask for in either
 *                             direction (a {@code heartBeat} value below it is the floor instead)
 * @param outboundFrames       frames a session may have waiting to be written before it counts as
 *                             a slow consumer
 * @param maxSubscriptions     subscriptions one session may hold
 * @param maxTransactions      transactions one session may have open at once
 * @param maxTransactionFrames frames one transaction may buffer
 * @param maxTransactionBytes  bytes all of a session's open transactions may buffer together
 * @param maxInflightSends     SENDs awaiting broker confirmation before the session stops reading
 * @param queuePrefetch        unacknowledged {@code /queue} messages per subscription, unless the
 *                             SUBSCRIBE says {@code prefetch-count}
 * @param closeTimeout         how long a closing session may take to flush its last frames
 * @param connectTimeout       how long a new connection may take to send CONNECT
 * @param serverName           the CONNECTED frame's {@code server} header
 */
public record SessionOptions(
        StompLimits limits,
        HeartBeat heartBeat,
        long heartBeatFloorMs,
        int outboundFrames,
        int maxSubscriptions,
        int maxTransactions,
        int maxTransactionFrames,
        long maxTransactionBytes,
        int maxInflightSends,
        int queuePrefetch,
        Duration closeTimeout,
        Duration connectTimeout,
        String serverName) {

    public static final int DEFAULT_OUTBOUND_FRAMES = 1024;
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;
    public static final int DEFAULT_MAX_TRANSACTIONS = 16;
    public static final int DEFAULT_MAX_TRANSACTION_FRAMES = 1000;
    public static final long DEFAULT_MAX_TRANSACTION_BYTES = 4L << 20;
    public static final int DEFAULT_MAX_INFLIGHT_SENDS = 256;
    public static final int DEFAULT_QUEUE_PREFETCH = 100;
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final HeartBeat DEFAULT_HEART_BEAT = new HeartBeat(10_000, 10_000);
    public static final long DEFAULT_HEART_BEAT_FLOOR_MS = 1_000;
    /** A client is silent once nothing came from it for this many negotiated intervals. */
    public static final int HEART_BEAT_TOLERANCE = 3;

    public static final SessionOptions DEFAULTS = new SessionOptions(StompLimits.DEFAULTS, DEFAULT_HEART_BEAT,
            DEFAULT_HEART_BEAT_FLOOR_MS, DEFAULT_OUTBOUND_FRAMES, DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_MAX_TRANSACTIONS,
            DEFAULT_MAX_TRANSACTION_FRAMES, DEFAULT_MAX_TRANSACTION_BYTES, DEFAULT_MAX_INFLIGHT_SENDS, DEFAULT_QUEUE_PREFETCH,
            DEFAULT_CLOSE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, "stompgate");

    public SessionOptions {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(heartBeat, "heartBeat");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(serverName, "serverName");
        if (heartBeatFloorMs < 1) {
            throw new IllegalArgumentException("heartBeatFloorMs must be at least 1, was " + heartBeatFloorMs);
        }
        positive(outboundFrames, "outboundFrames");
        positive(maxSubscriptions, "maxSubscriptions");
        positive(maxTransactions, "maxTransactions");
        positive(maxTransactionFrames, "maxTransactionFrames");
        if (maxTransactionBytes < 1) {
            throw new IllegalArgumentException("maxTransactionBytes must be at least 1, was " + maxTransactionBytes);
        }
        positive(maxInflightSends, "maxInflightSends");
        positive(queuePrefetch, "queuePrefetch");
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    public SessionOptions withHeartBeat(HeartBeat newHeartBeat) {
        return new SessionOptions(limits, newHeartBeat, heartBeatFloorMs, outboundFrames, maxSubscriptions, maxTransactions,
                maxTransactionFrames, maxTransactionBytes, maxInflightSends, queuePrefetch, closeTimeout, connectTimeout,
                serverName);
    }

    public SessionOptions withHeartBeatFloorMs(long floorMs) {
        return new SessionOptions(limits, heartBeat, floorMs, outboundFrames, maxSubscriptions, maxTransactions,
                maxTransactionFrames, maxTransactionBytes, maxInflightSends, queuePrefetch, closeTimeout, connectTimeout,
                serverName);
    }

    /** What CONNECTED offers a client whose CONNECT asked for {@code client} (docs/protocol.md §2.5). */
    public HeartBeat heartBeatOfferFor(HeartBeat client) {
        return HeartBeat.offerFor(client, heartBeat, heartBeatFloorMs);
    }

    public SessionOptions withOutboundFrames(int frames) {
        return new SessionOptions(limits, heartBeat, heartBeatFloorMs, frames, maxSubscriptions, maxTransactions,
                maxTransactionFrames, maxTransactionBytes, maxInflightSends, queuePrefetch, closeTimeout, connectTimeout,
                serverName);
    }
}
