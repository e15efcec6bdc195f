package io.stompgate.archfixtures.broker.local;

import static io.stompgate.archfixtures.config.Settings.defaults;

/** Breaks the broker-implementation rule through a static import of configuration. */
public final class ReadsConfiguration {

    public static Object settings() {
        return defaults();
    }
}
