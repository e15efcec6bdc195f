package io.stompgate.wire.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.testing.ApiClient;
import io.stompgate.testing.Frames;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** With no {@code gateway.api.key} (the shipped settings) the server API is off: {@code /api/**} answers 404. */
class ServerApiOffTest extends LocalGatewayTest {

    @Test
    void everyApiPathAnswers404WithOrWithoutAKey() {
        RawStompClient reader = client("reader").subscribe("s", "/topic/api-off");
        String json = "{\"destination\":\"/topic/api-off\",\"body\":\"should not arrive\"}";

        for (String key : new String[] {null, "some-key-of-sixteen-or-more"}) {
            assertThat(ApiClient.publish(port, key, json).status()).as("POST /api/publish, key %s", key).isEqualTo(404);
            assertThat(ApiClient.send(port, "GET", "/api/publish", key, null).status()).isEqualTo(404);
            assertThat(ApiClient.send(port, "GET", "/api/presence?destination=/topic/api-off", key, null).status())
                    .isEqualTo(404);
            assertThat(ApiClient.send(port, "GET", "/api", key, null).status()).isEqualTo(404);
        }

        reader.sendText(Frames.send("/topic/api-off", "marker"));
        assertThat(RawStompClient.text(reader.next(Duration.ofSeconds(10)))).as("nothing came before").isEqualTo("marker");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aKeyShorterThan16CharactersStopsStartUpNamingThePropertyButNotTheKey(CapturedOutput output) {
        assertThatThrownBy(() -> GatewayNode.startLocal("gateway.api.key=too-short").close())
                .hasStackTraceContaining("gateway.api.key must be at least 16 characters, was 9")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("too-short"));
        assertThat(output.getAll()).contains("gateway.api.key must be at least 16 characters").doesNotContain("too-short");
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
