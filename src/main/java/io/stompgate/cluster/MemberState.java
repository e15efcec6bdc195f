package io.stompgate.cluster;

import java.util.Locale;

/**
 * What a node says it is doing. Only {@code READY} nodes share load: a node sheds
 * sessions only while every member is ready, since a starting node's count says
 * nothing yet and a draining node's sessions are leaving anyway.
 */
public enum MemberState {
    /** Connected to the broker but not yet taking traffic (readiness still down). */
    STARTING,
    /** Taking sessions. */
    READY,
    /** Shutting down: closing its sessions, taking no new ones. */
    DRAINING;

    /** The wire and JSON spelling: {@code starting}, {@code ready}, {@code draining}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state spelled {@code text}, or {@code null} for anything else. */
    static MemberState parse(String text) {
        for (MemberState s : values()) {
            if (s.text().equals(text)) {
                return s;
            }
        }
        return null;
    }
}
