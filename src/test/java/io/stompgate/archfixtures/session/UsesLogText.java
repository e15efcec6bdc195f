package io.stompgate.archfixtures.session;

/** Keeps the session rule: a session may sanitize log text. */
public final class UsesLogText {

    public static Object sanitizer() {
        return new io.stompgate.archfixtures.logging.KnowsTheCodec();
    }
}
