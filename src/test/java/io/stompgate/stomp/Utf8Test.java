package io.stompgate.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "caf\u00e9", "\u4e2d\u6587", "\ud83d\ude00 smile", "mixed \u00e9\u4e2d\ud83d\ude00x"})
    void encodedLengthIsTheLengthOfTheUtf8Bytes(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);

        assertThat(Utf8.encodedLength(s)).isEqualTo(bytes.length);
        assertThat(Utf8.isValid(bytes)).isTrue();
    }
}
