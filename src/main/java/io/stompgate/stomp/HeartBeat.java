package io.stompgate.stomp;

/**
 * A {@code heart-beat} header value, and the negotiation of the two intervals
 * (STOMP 1.1 §"Heart-beating"). Fields are named by the direction of the beats
 * they govern, from the point of view of the peer that wrote the header:
 * {@code sendMs} is how often it can send, {@code receiveMs} how often it wants
 * to receive. Zero means "cannot" or "does not want".
 */
public record HeartBeat(long sendMs, long receiveMs) {

    public static final HeartBeat NONE = new HeartBeat(0, 0);

    public HeartBeat {
        if (sendMs < 0 || receiveMs < 0) {
            throw new IllegalArgumentException("heart-beat intervals must not be negative");
        }
    }

    /** Parses {@code "cx,cy"}; an absent header means no heart-beats. Returns null if malformed. */
    public static HeartBeat parse(String header) {
        if (header == null) {
            return NONE;
        }
        int comma = header.indexOf(',');
        if (comma < 0) {
            return null;
        }
        long send = parseInterval(header.substring(0, comma).trim());
        long receive = parseInterval(header.substring(comma + 1).trim());
        if (send < 0 || receive < 0) {
            return null;
        }
        return new HeartBeat(send, receive);
    }

    private static long parseInterval(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    public String headerValue() {
        return sendMs + "," + receiveMs;
    }

    /**
     * The intervals a server uses, given what the client asked for ({@code client})
     * and what the server offers ({@code server}). Each direction is the larger of
     * what the sender can do and what the receiver wants, or zero if either is zero.
     *
     * @return {@code sendMs}: how often the server sends beats;
     *         {@code receiveMs}: how often the server expects something from the client
     */
    public static HeartBeat negotiateForServer(HeartBeat client, HeartBeat server) {
        long serverToClient = client.receiveMs == 0 || server.sendMs == 0
                ? 0 : Math.max(client.receiveMs, server.sendMs);
        long clientToServer = client.sendMs == 0 || server.receiveMs == 0
                ? 0 : Math.max(client.sendMs, server.receiveMs);
        return new HeartBeat(serverToClient, clientToServer);
    }
}
