package io.stompgate.archfixtures.stomp;

/** Breaks the codec rule: Reactor is not the codec's to use (fully-qualified, no import). */
public final class UsesReactor {

    public static Object nothing() {
        return reactor.core.publisher.Mono.empty();
    }
}
