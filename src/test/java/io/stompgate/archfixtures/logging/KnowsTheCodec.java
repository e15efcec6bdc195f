package io.stompgate.archfixtures.logging;

/** Breaks the log-text rule: the sanitizer reaches into a layer. */
public final class KnowsTheCodec {

    public static Object frame() {
        return new io.stompgate.archfixtures.stomp.ReachesUpWithoutImport();
    }
}
