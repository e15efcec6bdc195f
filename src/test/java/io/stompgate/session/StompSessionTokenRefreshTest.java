package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.Address;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A fresh token sent in band to {@code /session/token} (docs/protocol.md §11), in virtual
 * time, with an authenticator whose "tokens" are {@code <principal>@<expiry ms>}: the
 * session's own part — the expiry moves, the principal may not change, a refusal closes,
 * and nothing of it reaches the broker.
 */
class StompSessionTokenRefreshTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();

    /** Verifies {@code <principal>@<expiry ms>} from {@code Authorization: Bearer} or the body; refuses anything else. */
    static final ConnectAuthenticator FAKE_TOKENS = new ConnectAuthenticator() {
        @Override
        public Mono<Identity> authenticate(Identity handshakeIdentity, StompHeaders connectHeaders) {
            return Mono.just(handshakeIdentity);
        }

        @Override
        public Mono<Identity> refresh(StompHeaders headers, byte[] body) {
            String authorization = headers.get(StompHeaders.AUTHORIZATION);
            String token = authorization != null ? authorization.substring("Bearer ".length())
                    : new String(body, StandardCharsets.UTF_8);
            int at = token.indexOf('@');
            if (at < 0) {
                return Mono.error(new AuthenticationException("token signature is invalid"));
            }
            return Mono.just(new Identity(token.substring(0, at), Set.of("scope:fresh"),
                    Instant.ofEpochMilli(Long.parseLong(token.substring(at + 1)))));
        }
    };

    final SessionHarness harness = new SessionHarness(broker, SessionOptions.DEFAULTS, FAKE_TOKENS);

    TestClient aliceUntil(long expiryMs) {
        return harness.open(new Identity("alice", Set.of(), Instant.ofEpochMilli(expiryMs)));
    }

    @Test
    void freshTokenInTheAuthorizationHeaderMovesTheExpiry() {
        TestClient client = aliceUntil(60_000);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> harness.advanceMs(50_000))
                .then(() -> client.send(StompCommand.SEND, "destination", "/session/token",
                        "Authorization", "Bearer alice@120000", "receipt", "fresh"))
                .assertNext(receipt("fresh"))
                .then(() -> harness.advanceMs(69_999))
                .then(() -> assertThat(client.session.isOpen()).as("open past the first token's expiry").isTrue())
                .then(() -> harness.advanceMs(1))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(error("token expired"));
                    assertThat(sent.atMs()).isEqualTo(120_000);
                })
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(CloseReason.TOKEN_EXPIRED);
    }

    @Test
    void freshTokenAsTheBodyMovesTheExpiryToo() {
        TestClient client = aliceUntil(10_000);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/session/token", "alice@30000", "receipt", "fresh"))
                .assertNext(receipt("fresh"))
                .then(() -> harness.advanceMs(29_999))
                .then(() -> assertThat(client.session.isOpen()).isTrue())
                .then(() -> harness.advanceMs(1))
                .assertNext(error("token expired"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void refreshedSessionDecidesWithTheFreshTokensAuthorities() {
        TestClient client = aliceUntil(10_000);
        client.collect();
        client.connect().sendMessage("/session/token", "alice@30000", "receipt", "fresh");

        assertThat(client.session.identity().authorities()).containsExactly("scope:fresh");
        assertThat(client.session.principal()).isEqualTo("alice");
    }

    @Test
    void tokenForAnotherPrincipalGetsAnErrorAndCloses() {
        TestClient client = aliceUntil(60_000);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.send(StompCommand.SEND, "destination", "/session/token",
                        "Authorization", "Bearer mallory@120000", "receipt", "fresh"))
                .assertNext(sent -> {
                    assertThat(sent).satisfies(error("token refresh refused",
                            "the token is for another principal; a session's principal cannot change"));
                    assertThat(sent.header(StompHeaders.RECEIPT_ID)).isEqualTo("fresh");
                    assertThat(sent.toString()).as("nothing of the token echoed").doesNotContain("mallory");
                })
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(client.session.principal()).isEqualTo("alice");
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.AUTHENTICATION);
    }

    @Test
    void tokenTheAuthenticatorRefusesGetsItsReasonAndCloses() {
        TestClient client = aliceUntil(60_000);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/session/token", "forged"))
                .assertNext(error("token refresh refused: token signature is invalid"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(harness.metrics.errors).containsExactly(ErrorReason.AUTHENTICATION);
    }

    @Test
    void sessionsOfAModeWithoutTokensAreRefusedARefresh() {
        SessionHarness trusting = new SessionHarness(broker);
        TestClient client = trusting.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.sendMessage("/session/token", "alice@30000"))
                .assertNext(error("token refresh refused: sessions here have no token to refresh"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void theTokenIsNeverPublishedEvenInsideATransaction() {
        TestClient client = aliceUntil(60_000);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.send(StompCommand.BEGIN, "transaction", "tx"))
                .then(() -> client.sendMessage("/session/token", "alice@120000", "transaction", "tx", "receipt", "fresh"))
                .assertNext(receipt("fresh"))
                .then(() -> client.send(StompCommand.ABORT, "transaction", "tx"))
                .then(() -> client.sendMessage("/topic/after", "next", "receipt", "after"))
                .assertNext(receipt("after"))
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(broker.publications()).as("only the later SEND reached the broker").hasSize(1);
        assertThat(broker.publications().get(0).address()).isEqualTo(new Address.Topic("after"));
    }
}
