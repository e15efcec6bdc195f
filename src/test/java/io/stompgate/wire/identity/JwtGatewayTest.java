package io.stompgate.wire.identity;

import static io.stompgate.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.GatewayApplication;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/** {@code gateway.auth.mode=jwt} end to end: the three token paths, refusals, expiry, rules; no token in the logs. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.auth.mode=jwt",
        "gateway.auth.jwt.hmac-secret=" + Tokens.SECRET,
        "gateway.auth.jwt.clock-skew=0s",
        "gateway.authz.rules[0].destination=/topic/admin.#",
        "gateway.authz.rules[0].subscribe=role:admin",
        "gateway.authz.rules[0].send=role:admin"})
@ExtendWith(OutputCaptureExtension.class)
class JwtGatewayTest {

    private static final List<String> TOKENS_USED = new ArrayList<>();

    @LocalServerPort
    int port;

    private static String token(String subject) {
        String token = Tokens.hs256(Tokens.claims(subject).build());
        TOKENS_USED.add(token);
        return token;
    }

    private static String token(com.nimbusds.jwt.JWTClaimsSet claims) {
        String token = Tokens.hs256(claims);
        TOKENS_USED.add(token);
        return token;
    }

    @AfterAll
    static void noTokenEverReachedTheLogs(CapturedOutput output) {
        for (String token : TOKENS_USED) {
            assertThat(output.getAll()).doesNotContain(token);
            assertThat(output.getAll()).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }

    @Test
    void tokenInTheHandshakeAuthorizationHeaderIdentifiesTheSession() {
        String token = token("alice");
        try (RawStompClient c = RawStompClient.connect(port, "/ws", h -> h.set("Authorization", "Bearer " + token))) {
            assertThat(c.connectStomp().header("user-name")).isEqualTo("alice");
        }
    }

    @Test
    void tokenInTheAccessTokenQueryParameterIdentifiesTheSession() {
        try (RawStompClient c = RawStompClient.connect(port, "/ws?access_token=" + token("bob"), h -> { })) {
            assertThat(c.connectStomp().header("user-name")).isEqualTo("bob");
        }
    }

    @Test
    void tokenInConnectsAuthorizationOrPasscodeHeaderIdentifiesTheSession() {
        try (RawStompClient c = RawStompClient.connect(port)) {
            StompFrame connected = c.connectStomp("Authorization", "Bearer " + token("carol"));
            assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
            assertThat(connected.header("user-name")).isEqualTo("carol");
        }
        try (RawStompClient c = RawStompClient.connect(port)) {
            assertThat(c.connectStomp("passcode", token("dave")).header("user-name")).isEqualTo("dave");
        }
    }

    @Test
    void badTokensAtTheHandshakeGet401AndNoUpgrade() {
        String expired = token(Tokens.with("e", b -> b.expirationTime(Date.from(Instant.now().minusSeconds(10)))));
        String none = Tokens.none(Tokens.claims("admin").build());
        String forged = Tokens.tamper(token("alice"), Tokens.claims("admin").build());
        for (String bad : List.of(expired, none, forged, "garbage")) {
            assertThat(RawStompClient.handshakeStatus(port, "/ws", h -> h.set("Authorization", "Bearer " + bad)))
                    .as("Authorization header").isEqualTo(401);
            assertThat(RawStompClient.handshakeStatus(port, "/ws?access_token=" + bad, h -> { }))
                    .as("access_token").isEqualTo(401);
        }
    }

    @Test
    void badOrMissingTokenAtConnectGetsAnErrorThenClose() {
        String expired = token(Tokens.with("e", b -> b.expirationTime(Date.from(Instant.now().minusSeconds(10)))));
        try (RawStompClient c = RawStompClient.connect(port)) {
            StompFrame error = c.connectStomp("passcode", expired);
            assertThat(error.command()).isEqualTo(StompCommand.ERROR);
            assertThat(error.header("message")).isEqualTo("token expired");
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
        try (RawStompClient c = RawStompClient.connect(port)) {
            StompFrame error = c.connectStomp();
            assertThat(error.command()).isEqualTo(StompCommand.ERROR);
            assertThat(error.header("message")).startsWith("missing token");
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aSessionIsClosedWhenItsTokenExpires() {
        String shortLived = token(Tokens.with("brief", b -> b.expirationTime(Date.from(Instant.now().plusSeconds(2)))));
        try (RawStompClient c = RawStompClient.connect(port, "/ws?access_token=" + shortLived, h -> { })) {
            assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
            StompFrame error = c.next(Duration.ofSeconds(10));
            assertThat(error.command()).isEqualTo(StompCommand.ERROR);
            assertThat(error.header("message")).isEqualTo("token expired");
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void wildcardSubscriptionThatWouldReachARestrictedTopicIsRefused() {
        try (RawStompClient c = RawStompClient.connect(port, "/ws?access_token=" + token("eve"), h -> { })) {
            c.connectStomp();
            c.sendText("SUBSCRIBE\nid:1\ndestination:/topic/#\n\n\0");
            StompFrame error = c.next();
            assertError(error, "/topic/#");
        }
        String admin = token(Tokens.with("root", b -> b.claim("roles", List.of("admin"))));
        try (RawStompClient c = RawStompClient.connect(port, "/ws?access_token=" + admin, h -> { })) {
            c.connectStomp();
            c.sendText("SUBSCRIBE\nid:1\ndestination:/topic/#\nreceipt:r\n\n\0");
            assertThat(c.next().command()).isEqualTo(StompCommand.RECEIPT);
        }
    }

    @Test
    void subscribingToAnotherUsersQueueIsRefused() {
        try (RawStompClient c = RawStompClient.connect(port, "/ws?access_token=" + token("mallory"), h -> { })) {
            c.connectStomp();
            c.sendText("SUBSCRIBE\nid:1\ndestination:/user/alice/queue/inbox\n\n\0");
            StompFrame error = c.next();
            assertError(error, "another user");
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aWeakSecretStopsStartupNamingTheProperty() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class).run("--server.port=0",
                "--gateway.auth.mode=jwt", "--gateway.auth.jwt.hmac-secret=short").close())
                .hasStackTraceContaining("gateway.auth.jwt.hmac-secret must be at least 256 bits");
    }

    @Test
    void jwtModeWithoutAnyKeyStopsStartup() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class).run("--server.port=0",
                "--gateway.auth.mode=jwt").close())
                .hasStackTraceContaining("gateway.auth.mode=jwt needs gateway.auth.jwt.hmac-secret");
    }
}
