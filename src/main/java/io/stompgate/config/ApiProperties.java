package io.stompgate.config;

import io.stompgate.api.ApiKey;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gateway.api.*}: the server API over HTTP (docs/protocol.md §10) is on when
 * {@code key} is set. Give the key through the environment ({@code GATEWAY_API_KEY}) or a
 * mounted secret, never in a file under version control. The key never appears in
 * {@link #toString()}.
 */
@ConfigurationProperties("gateway.api")
public record ApiProperties(String key) {

    public ApiProperties {
        if (key != null && key.isBlank()) {
            key = null;
        }
        if (key != null && key.length() < ApiKey.MIN_LENGTH) {
            throw new IllegalArgumentException("gateway.api.key must be at least " + ApiKey.MIN_LENGTH
                    + " characters, was " + key.length());
        }
    }

    /** Whether the API is on. */
    public boolean enabled() {
        return key != null;
    }

    @Override
    public String toString() {
        return "ApiProperties[key=" + (key == null ? "none" : "****") + "]";
    }
}
