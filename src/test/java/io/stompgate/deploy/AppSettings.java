package io.stompgate.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.springframework.boot.convert.DurationStyle;

/**
 * Settings the deployment files depend on, as the app reads them: an environment-style map
 * (a ConfigMap's data, a compose service's environment) over the app's application.properties.
 */
final class AppSettings {

    /** GracefulDrain's last flush after the drain period (GracefulDrain.LAST_FLUSH). */
    static final Duration DRAIN_LAST_FLUSH = Duration.ofSeconds(2);

    private AppSettings() {
    }

    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (InputStream in = AppSettings.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                throw new IllegalStateException("application.properties is not on the class path");
            }
            properties.load(in);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /**
     * The environment variable names Spring Boot binds to {@code property}: upper case, '.' as
     * '_', each '-' dropped (the canonical form) or written '_' (the form Boot also accepts).
     */
    static java.util.List<String> envNames(String property) {
        String upper = property.toUpperCase(Locale.ROOT).replace('.', '_');
        return java.util.List.of(upper.replace("-", ""), upper.replace('-', '_'));
    }

    /** {@code property}'s value in {@code env} (in environment-variable form), if there. */
    static Optional<String> fromEnv(Map<String, String> env, String property) {
        return envNames(property).stream().filter(env::containsKey).map(env::get).findFirst();
    }

    /** {@code property} from {@code env}, else application.properties, else {@code fallback}. */
    static String effective(Map<String, String> env, String property, String fallback) {
        return fromEnv(env, property).orElseGet(() -> applicationProperties().getProperty(property, fallback));
    }

    static Duration duration(String value) {
        return DurationStyle.detectAndParse(value.trim());
    }

    /** {@code spring.lifecycle.timeout-per-shutdown-phase} as the app would see it with {@code env}. */
    static Duration shutdownPhaseTimeout(Map<String, String> env) {
        return duration(effective(env, "spring.lifecycle.timeout-per-shutdown-phase", "30s"));
    }

    /** The longest heart-beat interval a session may negotiate (gateway.heartbeat.*). */
    static Duration heartBeat(Map<String, String> env) {
        long server = Long.parseLong(effective(env, "gateway.heartbeat.server-ms", "10000"));
        long client = Long.parseLong(effective(env, "gateway.heartbeat.client-ms", "10000"));
        return Duration.ofMillis(Math.max(server, client));
    }

    static int serverPort(Map<String, String> env) {
        return Integer.parseInt(effective(env, "server.port", "8080"));
    }
}
