package io.stompgate.archfixtures.stomp;

/** Breaks the codec rule with a fully-qualified name and no import line. */
public final class ReachesUpWithoutImport {

    public static Object open() {
        return new io.stompgate.archfixtures.session.Session();
    }
}
