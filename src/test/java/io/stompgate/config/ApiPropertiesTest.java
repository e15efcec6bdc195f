package io.stompgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** {@code gateway.api.key}, bound as Spring Boot binds it: from the environment too, never printed. */
class ApiPropertiesTest {

    private static final String KEY = "a-key-from-the-environment-0123";

    /** Binds {@code gateway.api} from process environment variables only. */
    static ApiProperties fromEnvironment(Map<String, Object> variables) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                variables));
        return new Binder(ConfigurationPropertySources.from(sources))
                .bindOrCreate("gateway.api", ApiProperties.class);
    }

    @Test
    void theEnvironmentVariableGatewayApiKeySetsTheKey() {
        ApiProperties api = fromEnvironment(Map.of("GATEWAY_API_KEY", KEY));

        assertThat(api.enabled()).isTrue();
        assertThat(api.key()).isEqualTo(KEY);
    }

    @Test
    void noKeyOrABlankOneLeavesTheApiOff() {
        assertThat(fromEnvironment(Map.of()).enabled()).isFalse();
        assertThat(fromEnvironment(Map.of("GATEWAY_API_KEY", "")).enabled()).isFalse();
        assertThat(fromEnvironment(Map.of("GATEWAY_API_KEY", "   ")).enabled()).isFalse();
    }

    @Test
    void aShortKeyIsRefusedNamingThePropertyNotTheKey() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("GATEWAY_API_KEY", "guessable")))
                .isInstanceOf(BindException.class)
                .hasStackTraceContaining("gateway.api.key must be at least 16 characters, was 9")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("guessable"));
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertThat(new ApiProperties(KEY).toString()).doesNotContain(KEY).contains("****");
        assertThat(new ApiProperties(null).toString()).contains("none");
    }
}
