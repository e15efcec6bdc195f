package io.stompgate.archfixtures.broker.local;

/** Breaks the broker-knows-no-application rule (fully-qualified, no import). */
public final class CallsApplication {

    public static void deliver(String body) {
        io.stompgate.archfixtures.app.Handler.handle(body);
    }
}
