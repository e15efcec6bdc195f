package io.stompgate.session;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;

/**
 * One item a session wrote, decoded as a client would read it: a frame, or a
 * heart-beat ({@code frame} null), with the virtual time at which the writer took it.
 */
record Sent(long atMs, StompFrame frame) {

    boolean isHeartBeat() {
        return frame == null;
    }

    StompCommand command() {
        return frame == null ? null : frame.command();
    }

    String header(String name) {
        return frame == null ? null : frame.header(name);
    }

    String body() {
        return frame == null ? null : frame.bodyAsString();
    }

    @Override
    public String toString() {
        if (frame == null) {
            return "heart-beat@" + atMs + "ms";
        }
        return frame.command() + frame.headers().toString() + (frame.body().length > 0 ? " body=" + frame.bodyAsString() : "")
                + "@" + atMs + "ms";
    }
}
