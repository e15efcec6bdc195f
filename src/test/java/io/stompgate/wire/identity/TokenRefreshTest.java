package io.stompgate.wire.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.Frames;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Token refresh in band (docs/protocol.md §11) on a node in {@code rabbitmq} mode with
 * {@code jwt} auth and no clock skew: short-lived tokens, refreshed by a {@code SEND} to
 * {@code /session/token}, keep a session open past their {@code exp}; each refusal closes
 * the session with an ERROR; no token ever reaches the logs.
 */
@NeedsRabbitMQ
@ExtendWith(OutputCaptureExtension.class)
class TokenRefreshTest {

    private static final List<String> TOKENS_USED = new ArrayList<>();
    private static GatewayNode node;

    @BeforeAll
    static void startNode() {
        node = GatewayNode.startRabbit("gateway.auth.mode=jwt", "gateway.auth.jwt.hmac-secret=" + Tokens.SECRET,
                "gateway.auth.jwt.clock-skew=0s");
    }

    @AfterAll
    static void stopNodeAndCheckTheLogs(CapturedOutput output) {
        if (node != null) {
            node.close();
        }
        assertThat(TOKENS_USED).isNotEmpty();
        for (String token : TOKENS_USED) {
            assertThat(output.getAll()).doesNotContain(token);
            assertThat(output.getAll()).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }

    private static String token(String subject, Duration lifetime) {
        return remember(Tokens.hs256(Tokens.with(subject,
                b -> b.expirationTime(Date.from(Instant.now().plus(lifetime))))));
    }

    private static String remember(String token) {
        TOKENS_USED.add(token);
        return token;
    }

    private static RawStompClient connect(String token) {
        RawStompClient c = RawStompClient.connect(node.port(), "/ws", h -> { }, "v12.stomp");
        StompFrame connected = c.connectStomp("passcode", token);
        assertThat(connected.command()).as(RawStompClient.describe(connected)).isEqualTo(StompCommand.CONNECTED);
        return c;
    }

    private static String topic() {
        return "/topic/refresh." + UUID.randomUUID().toString().replace("-", "");
    }

    /** The session still works end to end: a SEND through RabbitMQ comes back to its subscription. */
    private static void assertStillServed(RawStompClient c, String destination) {
        c.sendText(Frames.send(destination, "still here"));
        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("still here");
    }

    @Test
    void freshTokenInTheAuthorizationHeaderKeepsTheSessionPastTheFirstTokensExpiry() throws InterruptedException {
        try (RawStompClient c = connect(token("alice", Duration.ofSeconds(2)))) {
            String destination = topic();
            c.subscribe("s", destination);

            c.sendAndAwaitReceipt(Frames.frame("SEND", "destination", "/session/token",
                    "Authorization", "Bearer " + token("alice", Duration.ofMinutes(5)), "receipt", "fresh"), "fresh");
            Thread.sleep(3_500);

            assertThat(c.isOpen()).as("open past the first token's exp").isTrue();
            assertStillServed(c, destination);
        }
    }

    @Test
    void freshTokenAsTheBodyKeepsTheSessionPastTheFirstTokensExpiry() throws InterruptedException {
        try (RawStompClient c = connect(token("bob", Duration.ofSeconds(2)))) {
            String destination = topic();
            c.subscribe("s", destination);

            c.sendAndAwaitReceipt(Frames.send("/session/token", token("bob", Duration.ofMinutes(5)), "receipt", "fresh"),
                    "fresh");
            Thread.sleep(3_500);

            assertThat(c.isOpen()).as("open past the first token's exp").isTrue();
            assertStillServed(c, destination);
        }
    }

    @Test
    void theSessionThenEndsAtTheFreshTokensExpiry() {
        long start = System.nanoTime();
        try (RawStompClient c = connect(token("carol", Duration.ofSeconds(2)))) {
            c.sendAndAwaitReceipt(Frames.send("/session/token", token("carol", Duration.ofSeconds(5)), "receipt", "fresh"),
                    "fresh");

            StompFrame error = c.next(Duration.ofSeconds(10));

            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(error.command()).isEqualTo(StompCommand.ERROR);
            assertThat(error.header("message")).isEqualTo("token expired");
            assertThat(elapsedMs).as("past the first token's exp (2 s), at the fresh one's (5 s, in whole seconds)")
                    .isGreaterThan(3_900).isLessThan(7_000);
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void tokenWithABadSignatureGetsAnErrorThenClose() {
        String forged = remember(Tokens.tamper(token("dave", Duration.ofMinutes(5)),
                Tokens.claims("dave").expirationTime(Date.from(Instant.now().plusSeconds(3_600))).build()));
        assertRefreshRefused("dave", "Bearer " + forged, "token refresh refused: token signature is invalid");
    }

    @Test
    void expiredTokenGetsAnErrorThenClose() {
        String expired = token("erin", Duration.ofSeconds(-10));
        assertRefreshRefused("erin", "Bearer " + expired, "token refresh refused: token expired");
    }

    @Test
    void tokenForAnotherPrincipalGetsAnErrorThenClose() {
        String mallory = token("mallory", Duration.ofMinutes(5));
        assertRefreshRefused("frank", "Bearer " + mallory,
                "token refresh refused: the token is for another principal; a session's principal cannot change");
    }

    @Test
    void missingTokenGetsAnErrorThenClose() {
        assertRefreshRefused("grace", null,
                "token refresh refused: missing token: send 'Authorization: Bearer <token>' or the token as the body");
    }

    @Test
    void authorizationHeaderThatIsNotBearerGetsAnErrorThenClose() {
        assertRefreshRefused("heidi", "Basic aGVpZGk6cGFzcw==",
                "token refresh refused: the Authorization header must be 'Bearer <token>'");
    }

    /** {@code user} connects, sends {@code authorization} (no header when null, and no body) to /session/token. */
    private static void assertRefreshRefused(String user, String authorization, String expectedMessage) {
        try (RawStompClient c = connect(token(user, Duration.ofMinutes(5)))) {
            String frame = authorization == null
                    ? Frames.frame("SEND", "destination", "/session/token", "receipt", "fresh")
                    : Frames.frame("SEND", "destination", "/session/token", "Authorization", authorization,
                            "receipt", "fresh");
            c.sendText(frame);

            StompFrame error = c.expect(f -> f.command() == StompCommand.ERROR, RawStompClient.TIMEOUT);
            assertThat(error.header("message")).isEqualTo(expectedMessage);
            assertThat(error.header("receipt-id")).isEqualTo("fresh");
            assertThat(c.awaitClosed(RawStompClient.TIMEOUT)).as("closed after the ERROR").isTrue();
        }
    }
}
