package io.stompgate.session;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Who a session speaks for, fixed when the session starts. {@code name} is the
 * principal that user destinations and authorization use; {@code authorities}
 * (roles and scopes, as {@code role:x} and {@code scope:y}) feed authorization
 * rules; {@code expiresAt}, when set, is when the session must end (a token's
 * expiry).
 */
public record Identity(String name, Set<String> authorities, Instant expiresAt) {

    public Identity {
        Objects.requireNonNull(name, "name");
        authorities = authorities == null ? Set.of() : Set.copyOf(authorities);
    }

    public static Identity of(String name) {
        return new Identity(name, Set.of(), null);
    }
}
