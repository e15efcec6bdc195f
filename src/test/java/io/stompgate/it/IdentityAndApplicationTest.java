package io.stompgate.it;

import static io.stompgate.it.GatewayAssertions.assertErrorThenClose;
import static io.stompgate.it.GatewayAssertions.assertNodeServesNewSession;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * {@code gateway.auth.mode=header} identities, and {@code /app} SENDs handled by
 * an in-JVM {@link io.stompgate.app.AppMessageHandler} ({@link EchoApplication}).
 */
class IdentityAndApplicationTest extends LocalGatewayTest {

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

    @Test
    void appSendIsHandledInTheJvmAndAnsweredOnTheSendersUserQueue() {
        RawStompClient alice = client("alice");
        RawStompClient aliceElsewhere = client("alice");
        RawStompClient bob = client("bob");
        alice.subscribe("r", "/user/queue/replies");
        aliceElsewhere.subscribe("r", "/user/queue/replies");
        bob.subscribe("r", "/user/queue/replies");

        alice.sendAndAwaitReceipt(send("/app/echo.hello", "ping", "receipt", "app"), "app");

        StompFrame reply = alice.expectMessage();
        assertThat(reply.header("destination")).isEqualTo("/user/queue/replies");
        assertThat(reply.header("app-key")).isEqualTo("echo.hello");
        assertThat(reply.header("app-session")).isEqualTo(alice.connectedSession());
        assertThat(reply.header("content-type")).isEqualTo("text/plain");
        assertThat(RawStompClient.text(reply)).isEqualTo("echo: ping");
        assertThat(RawStompClient.text(aliceElsewhere.expectMessage()))
                .as("a user reply reaches every session of that user").isEqualTo("echo: ping");
        bob.sendAndAwaitReceipt(send("/app/echo.bob", "mine", "receipt", "b"), "b");
        assertThat(RawStompClient.text(bob.expectMessage())).as("bob got nothing of alice's").isEqualTo("echo: mine");
    }

    @Test
    void failingAppHandlerAnswersTheSenderWithErrorThenClose() {
        RawStompClient alice = client("alice");

        alice.sendText(send("/app/fail", "boom", "receipt", "f"));

        assertErrorThenClose(alice, "/app/fail");
        assertNodeServesNewSession(port);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void refusedSendIsNotLoggedAsAnUnhandledReactiveError(CapturedOutput output) {
        RawStompClient alice = client("alice");

        alice.sendText(send("/app/fail", "boom"));

        assertErrorThenClose(alice, "/app/fail");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !output.getAll().contains("ErrorCallbackNotImplemented"));
    }
}
