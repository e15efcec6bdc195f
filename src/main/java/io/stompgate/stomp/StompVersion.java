package io.stompgate.stomp;

import java.util.Optional;

/**
 * A STOMP protocol version, and the negotiation of one from a client's
 * {@code accept-version} header.
 */
public enum StompVersion {
    V1_0("1.0", "v10.stomp"),
    V1_1("1.1", "v11.stomp"),
    V1_2("1.2", "v12.stomp");

    private final String header;
    private final String subprotocol;

    StompVersion(String header, String subprotocol) {
        this.header = header;
        this.subprotocol = subprotocol;
    }

    /** The version as written in {@code accept-version} and {@code version} headers. */
    public String header() {
        return header;
    }

    /** The WebSocket subprotocol that names this version. */
    public String subprotocol() {
        return subprotocol;
    }

    /** Whether header values are escaped in this version (1.1 and later). */
    public boolean escapesHeaders() {
        return this != V1_0;
    }

    /**
     * The highest version both sides speak. STOMP 1.1 §"Protocol Negotiation": a
     * CONNECT without {@code accept-version} is a 1.0 client. Unknown entries are
     * ignored; an empty result means no common version (the server answers ERROR).
     */
    public static Optional<StompVersion> negotiate(String acceptVersion) {
        if (acceptVersion == null) {
            return Optional.of(V1_0);
        }
        StompVersion best = null;
        for (String offered : acceptVersion.split(",")) {
            String v = offered.trim();
            for (StompVersion candidate : values()) {
                if (candidate.header.equals(v) && (best == null || candidate.compareTo(best) > 0)) {
                    best = candidate;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The version named by a WebSocket subprotocol, if it is one of ours. */
    public static Optional<StompVersion> fromSubprotocol(String subprotocol) {
        for (StompVersion v : values()) {
            if (v.subprotocol.equalsIgnoreCase(subprotocol.trim())) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The supported versions as a CONNECT would list them: {@code 1.0,1.1,1.2}. */
    public static String supportedList() {
        return "1.0,1.1,1.2";
    }
}
