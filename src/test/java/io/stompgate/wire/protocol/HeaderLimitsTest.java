package io.stompgate.wire.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.GatewayApplication;
import io.stompgate.stomp.StompCommand;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * {@code gateway.limits.max-headers} and {@code .max-header-line-bytes} reach the
 * decoder: a frame over either gets ERROR naming the limit, a frame at it passes,
 * and a value too small to carry a CONNECT stops start-up naming the property.
 */
class HeaderLimitsTest {

    @Test
    void configuredHeaderCountAndLineLengthAreEnforced() {
        try (GatewayNode node = GatewayNode.startLocal("gateway.limits.max-headers=4",
                "gateway.limits.max-header-line-bytes=100")) {
            try (RawStompClient ok = node.client("ok")) {
                ok.connectStomp();
                ok.subscribe("s", "/topic/limits");
                ok.sendAndAwaitReceipt("SEND\ndestination:/topic/limits\nreceipt:r\nx-a:1\nx-b:" + "b".repeat(96) + "\n\nfits\0", "r");
                assertThat(RawStompClient.text(ok.expectMessage())).isEqualTo("fits");
            }
            try (RawStompClient many = node.client("many")) {
                many.connectStomp();
                many.sendText("SEND\ndestination:/topic/limits\nx-a:1\nx-b:2\nx-c:3\nx-d:4\n\nfive headers\0");
                assertThat(many.expect(StompCommand.ERROR).header("message")).isEqualTo("more than 4 headers");
                assertThat(many.awaitClosed(Duration.ofSeconds(10))).isTrue();
            }
            try (RawStompClient wide = node.client("wide")) {
                wide.connectStomp();
                wide.sendText("SEND\ndestination:/topic/limits\nx-b:" + "b".repeat(97) + "\n\nwide\0");
                assertThat(wide.expect(StompCommand.ERROR).header("message")).isEqualTo("header line longer than 100 bytes");
                assertThat(wide.awaitClosed(Duration.ofSeconds(10))).isTrue();
            }
        }
    }

    @Test
    void tooFewHeadersStopsStartupNamingTheProperty() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class)
                .run("--server.port=0", "--gateway.limits.max-headers=0").close())
                .hasStackTraceContaining("gateway.limits.max-headers");
    }

    @Test
    void tooShortHeaderLinesStopStartupNamingTheProperty() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class)
                .run("--server.port=0", "--gateway.limits.max-header-line-bytes=10").close())
                .hasStackTraceContaining("gateway.limits.max-header-line-bytes");
    }
}
