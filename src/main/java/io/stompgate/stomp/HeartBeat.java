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

    /**
     * What a server's {@code CONNECTED} offers a client that asked for {@code client},
     * so that the negotiation on both sides ({@link #negotiateForServer}) gives the client
     * the intervals it asked for, down to a floor. In each direction the offer is the
     * configured one ({@code configured}, the default offer) when the client wants no
     * beats that way; otherwise the client's value raised to {@code floorMs} and capped
     * at the configured one. A configured 0 (the server cannot send, or does not want
     * beats) stays 0, and a configured value below the floor is itself the floor.
     *
     * <p>Both peers then settle on, per direction, max(client's value, min(configured,
     * floor)): a client asking for 500 ms beats with a floor of 1000 gets 1000, one
     * asking for 2000 gets 2000, and one asking for more than the configured offer gets
     * what it asked for, as before.
     *
     * @param client     the client's {@code heart-beat} header
     * @param configured the server's default offer ({@code gateway.heartbeat.server-ms},
     *                   {@code client-ms})
     * @param floorMs    the shortest interval a client may ask for
     */
    public static HeartBeat offerFor(HeartBeat client, HeartBeat configured, long floorMs) {
        if (floorMs < 1) {
            throw new IllegalArgumentException("the heart-beat floor must be at least 1 ms, was " + floorMs);
        }
        return new HeartBeat(offerOne(client.receiveMs, configured.sendMs, floorMs),
                offerOne(client.sendMs, configured.receiveMs, floorMs));
    }

    /** One direction of {@link #offerFor}: {@code asked} is the client's side of it. */
    private static long offerOne(long asked, long configured, long floorMs) {
        if (asked == 0 || configured == 0) {
            return configured;
        }
        return Math.min(configured, Math.max(asked, floorMs));
    }
}
