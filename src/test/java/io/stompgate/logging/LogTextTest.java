package io.stompgate.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void controlCharactersCannotForgeALogLine() {
        assertThat(LogText.of("alice\nINFO fake line\r\u0000")).isEqualTo("alice?INFO fake line??");
    }

    @Test
    void aDoubleQuoteCannotEndTheQuotedField() {
        assertThat(LogText.of("say \"hi\"")).isEqualTo("say 'hi'");
    }

    @Test
    void printableTextIsKeptAsItIs() {
        String text = "/topic/chat.lobby Grüße ✓";
        assertThat(LogText.of(text)).isSameAs(text);
    }

    @Test
    void longTextIsCut() {
        String cut = LogText.of("x".repeat(10_000));
        assertThat(cut).hasSize(LogText.MAX_CHARS + 3).endsWith("...");
    }

    @Test
    void nullStaysNull() {
        assertThat(LogText.of(null)).isNull();
    }
}
