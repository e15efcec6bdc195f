package io.stompgate.wire.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.TunedGatewayTest;
import org.junit.jupiter.api.Test;

/** {@code gateway.allowed-origins=https://good.example}: the handshake checks the browser's Origin. */
class AllowedOriginsTest extends TunedGatewayTest {

    @Test
    void handshakeFromAnotherOriginGets403AndIsNotUpgraded() {
        int sessionsBefore = registry.sessionCount();

        int status = RawStompClient.handshakeStatus(port, "/ws?user=victim", h -> h.set("Origin", "https://evil.example"));

        assertThat(status).isEqualTo(403);
        assertThat(registry.sessionCount()).isEqualTo(sessionsBefore);
    }

    @Test
    void handshakeFromTheAllowedOriginIsUpgraded() {
        assertThat(RawStompClient.handshakeStatus(port, "/ws?user=fan", h -> h.set("Origin", "https://good.example")))
                .isEqualTo(101);

        RawStompClient c = clients.track(RawStompClient.connect(port, "/ws?user=fan",
                h -> h.set("Origin", "https://good.example"), "v12.stomp"));
        assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
    }

    @Test
    void handshakeWithoutOriginIsUpgraded() {
        assertThat(RawStompClient.handshakeStatus(port, "/ws?user=service", h -> { })).isEqualTo(101);

        assertThat(client("service").isOpen()).isTrue();
    }
}
