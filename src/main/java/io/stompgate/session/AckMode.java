package io.stompgate.session;

/** A subscription's {@code ack} header (STOMP 1.2 §"SUBSCRIBE ack Header"). */
public enum AckMode {
    /** The message counts as acknowledged once it is written to the client. */
    AUTO("auto"),
    /** An ACK acknowledges the message and every earlier one of the subscription. */
    CLIENT("client"),
    /** An ACK acknowledges that message only. */
    CLIENT_INDIVIDUAL("client-individual");

    private final String header;

    AckMode(String header) {
        this.header = header;
    }

    public String header() {
        return header;
    }

    /** The mode a header names, {@link #AUTO} when absent, {@code null} when unknown. */
    public static AckMode parse(String header) {
        if (header == null) {
            return AUTO;
        }
        for (AckMode mode : values()) {
            if (mode.header.equals(header)) {
                return mode;
            }
        }
        return null;
    }
}
