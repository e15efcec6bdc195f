package io.stompgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ApiKeyTest {

    private static final String KEY = "s3cret-api-key-of-some-length";

    private final ApiKey key = new ApiKey(KEY);

    @Test
    void theKeyItselfMatches() {
        assertThat(key.matches(KEY)).isTrue();
        assertThat(key.matches(new String(KEY.toCharArray()))).as("equal, not identical").isTrue();
    }

    @Test
    void anythingElseDoesNot() {
        assertThat(key.matches(null)).isFalse();
        assertThat(key.matches("")).isFalse();
        assertThat(key.matches(KEY.substring(0, KEY.length() - 1))).as("a prefix").isFalse();
        assertThat(key.matches(KEY + "x")).as("longer").isFalse();
        assertThat(key.matches(KEY.toUpperCase())).as("case matters").isFalse();
        assertThat(key.matches(" " + KEY)).as("whitespace matters").isFalse();
    }

    @Test
    void neverPrintsTheKey() {
        assertThat(key.toString()).doesNotContain(KEY).doesNotContain("s3cret");
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ApiKey("short"))
                .withMessageContaining("at least 16 characters")
                .withMessageNotContaining("short");
    }
}
