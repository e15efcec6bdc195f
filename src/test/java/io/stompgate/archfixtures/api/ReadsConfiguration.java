package io.stompgate.archfixtures.api;

/** Breaks the API rule: it reaches up to the configuration that wires it (fully-qualified, no import). */
public final class ReadsConfiguration {

    @Override
    public String toString() {
        return io.stompgate.archfixtures.config.Settings.defaults().toString();
    }
}
