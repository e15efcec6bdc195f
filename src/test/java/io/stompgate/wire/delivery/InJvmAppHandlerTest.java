package io.stompgate.wire.delivery;

import static io.stompgate.testing.ErrorAssertions.assertErrorThenClose;
import static io.stompgate.testing.GatewayAssertions.assertNodeServesNewSession;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.EchoApplication;
import io.stompgate.wire.LocalGatewayTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * {@code /app} SENDs in local mode, handled by an in-JVM
 * {@link io.stompgate.app.AppMessageHandler} ({@link EchoApplication}): the answer
 * reaches every session of the sender and nobody else; a failing handler is the
 * sender's ERROR, not a node failure.
 */
class InJvmAppHandlerTest extends LocalGatewayTest {

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
