package io.stompgate.wire.identity;

import static io.stompgate.testing.ErrorAssertions.assertErrorThenClose;
import static io.stompgate.testing.GatewayAssertions.assertNodeServesNewSession;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import org.junit.jupiter.api.Test;

/**
 * {@code gateway.auth.mode=header} identities: the handshake header, the {@code user}
 * query parameter and CONNECT's {@code login}, in that order, name the principal that
 * user destinations use.
 */
class HeaderIdentityTest extends LocalGatewayTest {

    private RawStompClient open(String pathAndQuery, String xUser) {
        return clients.track(RawStompClient.connect(port, pathAndQuery, h -> {
            if (xUser != null) {
                h.set("X-User", xUser);
            }
        }, "v12.stomp"));
    }

    @Test
    void handshakeHeaderNamesThePrincipal() {
        StompFrame connected = open("/ws", "carol").connectStomp();

        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(connected.header("user-name")).isEqualTo("carol");
    }

    @Test
    void userQueryParameterNamesThePrincipal() {
        StompFrame connected = open("/ws?user=dave", null).connectStomp();

        assertThat(connected.header("user-name")).isEqualTo("dave");
    }

    @Test
    void connectLoginNamesThePrincipalWhenTheHandshakeHasNone() {
        StompFrame connected = open("/ws", null).connectStomp("login", "erin");

        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(connected.header("user-name")).isEqualTo("erin");
    }

    @Test
    void handshakeHeaderWinsOverQueryParameterWhichWinsOverLogin() {
        assertThat(open("/ws?user=query", "header").connectStomp("login", "login").header("user-name"))
                .isEqualTo("header");
        assertThat(open("/ws?user=query", null).connectStomp("login", "login").header("user-name"))
                .isEqualTo("query");
    }

    @Test
    void connectWithoutAnyIdentityGetsErrorThenClose() {
        RawStompClient anonymous = open("/ws", null);

        anonymous.sendConnect();

        assertErrorThenClose(anonymous, "no identity");
        assertNodeServesNewSession(port);
    }

    @Test
    void principalIsWhatUserDestinationsUse() {
        RawStompClient viaLogin = open("/ws", null);
        assertThat(viaLogin.connectStomp("login", "frank").command()).isEqualTo(StompCommand.CONNECTED);
        viaLogin.subscribe("in", "/user/queue/inbox");
        RawStompClient other = client("grace");

        other.sendText(send("/user/frank/queue/inbox", "hi frank"));

        assertThat(RawStompClient.text(viaLogin.expectMessage())).isEqualTo("hi frank");
    }
}
