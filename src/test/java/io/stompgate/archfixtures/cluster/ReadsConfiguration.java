package io.stompgate.archfixtures.cluster;

import io.stompgate.archfixtures.config.Settings;

/** Breaks the cluster rule by reaching up to configuration. */
public final class ReadsConfiguration {

    public static Object settings() {
        return Settings.defaults();
    }
}
