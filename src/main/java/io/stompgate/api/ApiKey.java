package io.stompgate.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key every {@code /api/**} request must present in {@code X-API-Key}. Only a
 * SHA-256 digest of it is kept, and a presented key is compared by its digest with
 * {@link MessageDigest#isEqual}, which takes the same time wherever two digests
 * differ: neither the key's content nor its length leaks through response times.
 * Nothing here ever prints the key.
 */
public final class ApiKey {

    /** Shorter keys are refused at start-up: they can be guessed. */
    public static final int MIN_LENGTH = 16;

    private final byte[] digest;

    public ApiKey(String key) {
        if (key == null || key.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the API key must be at least " + MIN_LENGTH + " characters");
        }
        this.digest = sha256(key);
    }

    /** Whether {@code presented} (null when absent) is the key. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ApiKey[****]";
    }
}
