package io.stompgate.wire.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.TunedGatewayTest;
import org.junit.jupiter.api.Test;

/**
 * Spellings of the endpoint path that the handler mapping still routes to the STOMP
 * endpoint (a path parameter, percent-encoding) get the same handshake checks: a foreign
 * Origin is refused whatever the spelling.
 */
class EndpointPathVariantsTest extends TunedGatewayTest {

    @Test
    void aForeignOriginIsRefusedWhateverTheSpellingOfTheEndpointPath() {
        for (String path : new String[] {"/ws?user=victim", "/ws;x=1?user=victim", "/w%73?user=victim"}) {
            assertThat(RawStompClient.handshakeStatus(port, path, h -> h.set("Origin", "https://evil.example")))
                    .as(path).isEqualTo(403);
        }
    }
}
