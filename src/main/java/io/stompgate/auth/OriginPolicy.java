package io.stompgate.auth;

import java.util.List;
import java.util.Locale;

/**
 * {@code gateway.allowed-origins}: exact origins ({@code https://app.example.com}),
 * {@code *} for any, or a leading wildcard for subdomains
 * ({@code https://*.example.com}). Compared case-insensitively, without a
 * trailing slash.
 */
final class OriginPolicy {

    private final List<String> allowed;
    private final boolean any;

    OriginPolicy(List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalize).toList();
        this.any = allowed.contains("*");
    }

    boolean allows(String origin) {
        if (any) {
            return true;
        }
        String o = normalize(origin);
        for (String pattern : allowed) {
            if (pattern.equals(o)) {
                return true;
            }
            int star = pattern.indexOf("://*.");
            if (star > 0) {
                String scheme = pattern.substring(0, star + 3);
                String suffix = pattern.substring(star + 4);
                if (o.startsWith(scheme) && o.endsWith(suffix) && o.length() > scheme.length() + suffix.length()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
