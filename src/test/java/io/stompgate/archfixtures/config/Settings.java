package io.stompgate.archfixtures.config;

/** A configuration class for the broker fixtures to reach up to (a method, not a constant javac would inline). */
public final class Settings {

    private Settings() {
    }

    public static Settings defaults() {
        return new Settings();
    }
}
