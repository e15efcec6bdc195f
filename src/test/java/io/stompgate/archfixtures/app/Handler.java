package io.stompgate.archfixtures.app;

/** An application-layer class for the broker fixtures to reach up to. */
public final class Handler {

    private Handler() {
    }

    public static void handle(String body) {
    }
}
