package io.stompgate.session;

import static io.stompgate.session.Expect.connected;
import static io.stompgate.session.Expect.error;
import static io.stompgate.session.Expect.receipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.HeartBeat;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompVersion;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** CONNECT and STOMP: version and heart-beat negotiation, identity, and the errors before a session is connected. */
class StompSessionConnectTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    final StubBroker broker = new StubBroker();
    final SessionHarness harness = new SessionHarness(broker, SessionHarness.options(o -> {
        o.heartBeat = new HeartBeat(2_000, 3_000);
        o.serverName = "stompgate-test";
    }));

    @Test
    void connectGetsConnectedWithVersionHeartBeatSessionServerAndUserName() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("accept-version", "1.0,1.1,1.2", "heart-beat", "0,0"))
                .assertNext(sent -> {
                    assertThat(sent.command()).isEqualTo(StompCommand.CONNECTED);
                    assertThat(sent.header(StompHeaders.VERSION)).isEqualTo("1.2");
                    assertThat(sent.header(StompHeaders.HEART_BEAT)).isEqualTo("2000,3000");
                    assertThat(sent.header(StompHeaders.SESSION)).isEqualTo(client.session.id());
                    assertThat(sent.header(StompHeaders.SERVER)).isEqualTo("stompgate-test");
                    assertThat(sent.header(StompHeaders.USER_NAME)).isEqualTo("alice");
                })
                .then(() -> client.send(StompCommand.DISCONNECT, "receipt", "bye"))
                .assertNext(receipt("bye"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void stompFrameConnectsLikeConnect() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.send(StompCommand.STOMP, "accept-version", "1.1", "host", "localhost"))
                .assertNext(sent -> {
                    assertThat(sent.command()).isEqualTo(StompCommand.CONNECTED);
                    assertThat(sent.header(StompHeaders.VERSION)).isEqualTo("1.1");
                    assertThat(sent.header(StompHeaders.USER_NAME)).isEqualTo("alice");
                })
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(client.session.version()).isEqualTo(StompVersion.V1_1);
    }

    @ParameterizedTest(name = "accept-version {0} -> {1}")
    @CsvSource({
            "1.0, 1.0",
            "1.1, 1.1",
            "1.2, 1.2",
            "'1.0,1.1', 1.1",
            "'1.2,1.0', 1.2",
            "'1.1,2.0', 1.1",
            "'2.0, 1.0', 1.0"})
    void connectedNamesTheHighestVersionBothSpeak(String acceptVersion, String expected) {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("accept-version", acceptVersion))
                .assertNext(sent -> assertThat(sent.header(StompHeaders.VERSION)).isEqualTo(expected))
                .then(client::closeTransport)
                .verifyComplete();
    }

    @Test
    void connectWithoutAcceptVersionIsAStomp10Client() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.send(StompCommand.CONNECT, "host", "localhost"))
                .assertNext(sent -> assertThat(sent.header(StompHeaders.VERSION)).isEqualTo("1.0"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void loginHeaderNamesTheUserWhenTheHandshakeProvedNobody() {
        TestClient client = harness.open(null);

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("login", "bob"))
                .assertNext(sent -> assertThat(sent.header(StompHeaders.USER_NAME)).isEqualTo("bob"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(broker.calls(StubBroker.Op.BIND_USER)).containsExactly(new StubBroker.Call(StubBroker.Op.BIND_USER, "bob"));
    }

    @Test
    void frameBeforeConnectGetsErrorThenClose() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.subscribe("s1", "/topic/a"))
                .assertNext(error("SUBSCRIBE frame before CONNECT"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.isOpen()).isFalse();
        assertThat(client.session.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(client.readingEnded()).isTrue();
        assertThat(harness.metrics.errors).containsExactly(ErrorReason.NOT_CONNECTED);
        assertThat(broker.calls()).isEmpty();
    }

    @Test
    void secondConnectGetsErrorThenClose() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(client::connect)
                .assertNext(error("CONNECT may be sent once"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.isOpen()).isFalse();
        assertThat(harness.registry.sessionCount()).isZero();
        assertThat(harness.registry.userCount()).isZero();
    }

    @Test
    void unsupportedAcceptVersionGetsErrorListingTheSupportedVersions() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("accept-version", "2.0,3.1"))
                .assertNext(error("Supported protocol versions are 1.0,1.1,1.2"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(harness.metrics.errors).containsExactly(ErrorReason.UNSUPPORTED_VERSION);
        assertThat(broker.calls()).as("nothing reaches the broker for a refused CONNECT").isEmpty();
    }

    @Test
    void unsupportedAcceptVersionErrorCarriesTheVersionHeader() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("accept-version", "2.0"))
                .assertNext(sent -> {
                    assertThat(sent.command()).isEqualTo(StompCommand.ERROR);
                    assertThat(sent.header(StompHeaders.VERSION))
                            .as("STOMP 1.2: the ERROR answering a version mismatch has 'version' set to the supported versions")
                            .isEqualTo("1.0,1.1,1.2");
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void malformedHeartBeatHeaderGetsError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("heart-beat", "soon"))
                .assertNext(error("malformed heart-beat header"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void authenticatorFailureGetsErrorWithItsMessage() {
        SessionHarness refusing = new SessionHarness(broker, SessionOptions.DEFAULTS,
                (handshake, headers) -> Mono.error(new ConnectAuthenticator.AuthenticationException("bad credentials for bob")));
        TestClient client = refusing.open(null);

        StepVerifier.create(client.outbound())
                .then(() -> client.connect("login", "bob", "passcode", "wrong"))
                .assertNext(error("bad credentials for bob"))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(client.session.isOpen()).isFalse();
        assertThat(refusing.metrics.errors).containsExactly(ErrorReason.AUTHENTICATION);
        assertThat(refusing.registry.userCount()).isZero();
        assertThat(broker.calls()).isEmpty();
    }

    @Test
    void connectWithoutAnyIdentityGetsError() {
        TestClient client = harness.open(null);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(error("no identity"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void authenticatorThatFindsNobodyGetsError() {
        SessionHarness empty = new SessionHarness(broker, SessionOptions.DEFAULTS, (handshake, headers) -> Mono.empty());
        TestClient client = empty.open(null);

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(error("no identity"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void serverFramesFromTheClientGetError() {
        TestClient client = harness.open();

        StepVerifier.create(client.outbound())
                .then(client::connect)
                .assertNext(connected())
                .then(() -> client.send(StompFrame.of(StompCommand.MESSAGE, "destination", "/topic/a",
                        "message-id", "1", "subscription", "x")))
                .assertNext(error("MESSAGE is a server frame"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void framesFollowingConnectInTheSameChunkUseTheNegotiatedEscaping() {
        TestClient client = harness.open();
        String chunk = "CONNECT\naccept-version:1.2\nhost:x\n\n\0"
                + "SUBSCRIBE\nid:a\\cb\ndestination:/topic/t\nreceipt:r\\n1\n\n\0";

        StepVerifier.create(client.outbound())
                .then(() -> client.sendBytes(chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .assertNext(connected())
                .assertNext(receipt("r\n1"))
                .then(() -> harness.registry.onTopicMessage("t",
                        new io.stompgate.broker.BrokerMessage(StompHeaders.EMPTY, new byte[0])))
                .assertNext(sent -> assertThat(sent.header(StompHeaders.SUBSCRIPTION)).isEqualTo("a:b"))
                .then(client::closeTransport)
                .expectComplete()
                .verify(TIMEOUT);
    }
}
