package io.stompgate.wire.protocol;

import static io.stompgate.testing.Frames.frame;
import static io.stompgate.testing.Frames.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompVersion;
import io.stompgate.testing.RawStompClient;
import io.stompgate.wire.LocalGatewayTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The wire: protocol versions and their escaping, subprotocol selection, how
 * frames map onto WebSocket messages, and text versus binary messages.
 */
class WireProtocolTest extends LocalGatewayTest {

    @Test
    void stomp10ClientWithoutAcceptVersionGetsVersion10AndLiteralHeaders() {
        RawStompClient old = clients.track(RawStompClient.connect(port, "/ws?user=old", h -> { }));
        StompFrame connected = old.connectStomp("accept-version", null);
        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(connected.header("version")).isEqualTo("1.0");
        RawStompClient modern = client("modern");
        // STOMP 1.0: SUBSCRIBE needs no id; the subscription is then named by its destination.
        old.sendAndAwaitReceipt(frame("SUBSCRIBE", "destination", "/topic/v10", "receipt", "s"), "s");
        modern.subscribe("m", "/topic/v10");

        // A 1.0 client's backslashes are literal; a colon after the first one belongs to the value.
        old.sendText(send("/topic/v10", "from 1.0", "note", "a\\cb:c"));

        StompFrame toOld = old.expectMessage();
        assertThat(toOld.header("subscription")).isEqualTo("/topic/v10");
        assertThat(toOld.header("note")).isEqualTo("a\\cb:c");
        assertThat(toOld.header("ack")).isNull();
        StompFrame toModern = modern.expectMessage();
        assertThat(toModern.header("note")).as("escaped for 1.2 and decoded back").isEqualTo("a\\cb:c");
    }

    @Test
    void stomp11ClientGetsVersion11AndEscapedHeaders() {
        RawStompClient v11 = clients.track(RawStompClient.connect(port, "/ws?user=v11", h -> { }, "v11.stomp"));
        assertThat(v11.subprotocol()).isEqualTo("v11.stomp");
        StompFrame connected = v11.connectStomp("accept-version", "1.1");
        assertThat(connected.header("version")).isEqualTo("1.1");
        RawStompClient sender = client("sender");
        v11.subscribe("s", "/topic/v11");

        String value = "a:b\nc\\d";
        sender.send(new StompFrame(StompCommand.SEND, StompHeaders.of(
                "destination", "/topic/v11", "note", value), "x".getBytes(StandardCharsets.UTF_8)));

        StompFrame message = v11.expectMessage();
        assertThat(message.header("note")).as("decoded with 1.1 escaping").isEqualTo(value);
        assertThat(message.header("ack")).as("no ack header before 1.2").isNull();

    }

    @Test
    void stomp11ClientAcknowledgesByMessageIdAndSubscription() {
        RawStompClient v11 = clients.track(RawStompClient.connect(port, "/ws?user=v11", h -> { }, "v11.stomp"));
        assertThat(v11.connectStomp("accept-version", "1.1").header("version")).isEqualTo("1.1");
        RawStompClient sender = client("sender");
        String queue = queue();
        v11.subscribe("q", queue, "ack", "client");

        sender.sendText(send(queue, "job"));
        StompFrame job = v11.expectMessage();
        assertThat(job.header("ack")).as("no ack header before 1.2").isNull();

        v11.sendAndAwaitReceipt(frame("ACK", "message-id", job.header("message-id"), "subscription", "q",
                "receipt", "a"), "a");
    }

    @Test
    void stomp11EscapesInIncomingHeadersAreDecoded() {
        RawStompClient v11 = clients.track(RawStompClient.connect(port, "/ws?user=v11", h -> { }, "v11.stomp"));
        assertThat(v11.connectStomp("accept-version", "1.1").header("version")).isEqualTo("1.1");
        RawStompClient modern = client("modern");
        modern.subscribe("s", "/topic/v11in");

        v11.sendText(send("/topic/v11in", "x", "note", "a\\cb\\nc\\\\d"));

        assertThat(modern.expectMessage().header("note")).isEqualTo("a:b\nc\\d");
    }

    @Test
    void highestOfferedSubprotocolIsSelected() {
        RawStompClient c = clients.track(RawStompClient.connect(port, "/ws?user=p", h -> { }, "v10.stomp", "v12.stomp"));

        assertThat(c.subprotocol()).isEqualTo("v12.stomp");
        assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
    }

    @Test
    void connectionWithoutSubprotocolWorks() {
        RawStompClient c = clients.track(RawStompClient.connect(port, "/ws?user=nosub", h -> { }));

        assertThat(c.subprotocol()).isNull();
        assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
        c.subscribe("s", "/topic/nosub");
        c.sendText(send("/topic/nosub", "works"));
        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("works");
    }

    @Test
    void stompCommandConnectsLikeConnect() {
        RawStompClient c = clients.track(RawStompClient.connectAs(port, "stomp-cmd"));
        c.sendText(frame("STOMP", "accept-version", "1.2", "host", "localhost"));

        StompFrame connected = c.next();
        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(connected.header("version")).isEqualTo("1.2");
        assertThat(connected.header("user-name")).isEqualTo("stomp-cmd");
    }

    @Test
    void severalFramesInOneWebSocketMessageAreAllHandledInOrder() {
        RawStompClient c = clients.track(RawStompClient.connectAs(port, "batch"));

        c.sendText(frame("CONNECT", "accept-version", "1.2", "host", "localhost")
                + "\n\n"
                + frame("SUBSCRIBE", "id", "s", "destination", "/topic/batch")
                + send("/topic/batch", "one") + "\r\n"
                + send("/topic/batch", "two", "receipt", "r"));

        assertThat(c.next().command()).isEqualTo(StompCommand.CONNECTED);
        c.awaitReceipt("r");
        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("one");
        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("two");
    }

    @Test
    void oneFrameSplitOverSeveralWebSocketMessagesIsReassembled() {
        RawStompClient c = client("split");
        c.subscribe("s", "/topic/split");
        String whole = send("/topic/split", "reassembled body", "x-h", "v");

        // Split inside the command, inside a header and inside the body.
        c.sendText(whole.substring(0, 3));
        c.sendText(whole.substring(3, 20));
        c.sendText(whole.substring(20, whole.length() - 5));
        c.sendText(whole.substring(whole.length() - 5));

        StompFrame message = c.expectMessage();
        assertThat(RawStompClient.text(message)).isEqualTo("reassembled body");
        assertThat(message.header("x-h")).isEqualTo("v");
    }

    @Test
    void oneFrameSentByteByByteIsReassembled() {
        RawStompClient c = client("bytes");
        c.subscribe("s", "/topic/bytes");
        String whole = send("/topic/bytes", "slowly");

        for (int i = 0; i < whole.length(); i++) {
            c.sendText(whole.substring(i, i + 1));
        }

        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("slowly");
    }

    @Test
    void oneFrameSplitOverWebSocketContinuationFragmentsIsReassembled() {
        RawStompClient c = client("fragments");
        c.subscribe("s", "/topic/fragments");
        String whole = send("/topic/fragments", "fragmented");

        c.sendTextFragments(whole.substring(0, 10), whole.substring(10, 30), whole.substring(30));

        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("fragmented");
    }

    @Test
    void binaryWebSocketMessagesAreReadLikeText() {
        RawStompClient c = clients.track(RawStompClient.connectAs(port, "binary"));
        c.sendBinary(frame("CONNECT", "accept-version", "1.2", "host", "localhost").getBytes(StandardCharsets.UTF_8));
        assertThat(c.next().command()).isEqualTo(StompCommand.CONNECTED);

        c.sendBinary(frame("SUBSCRIBE", "id", "s", "destination", "/topic/binary-in", "receipt", "r")
                .getBytes(StandardCharsets.UTF_8));
        c.awaitReceipt("r");
        c.sendBinary(send("/topic/binary-in", "via binary").getBytes(StandardCharsets.UTF_8));

        assertThat(RawStompClient.text(c.expectMessage())).isEqualTo("via binary");
    }

    @Test
    void textMessageThatIsNotUtf8GetsErrorThenCloseCode1007AndTheNodeCarriesOn() {
        RawStompClient bystander = client("bystander");
        bystander.subscribe("b", "/topic/bystander-1007");
        RawStompClient c = client("mislabelled");
        byte[] frame = send("/topic/bystander-1007", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1); // é as one byte

        c.sendTextBytes(frame);

        assertThat(c.expect(StompCommand.ERROR).header("message")).startsWith("text message is not valid UTF-8");
        assertThat(c.awaitClosed(RawStompClient.TIMEOUT)).isTrue();
        assertThat(c.closeStatus()).startsWith("1007");
        bystander.sendText(send("/topic/bystander-1007", "still here"));
        assertThat(RawStompClient.text(bystander.expectMessage())).isEqualTo("still here");
    }

    @Test
    void nonUtf8BodyGoesOutAsBinaryMessageAndUtf8BodyAsText() {
        RawStompClient receiver = client("receiver");
        RawStompClient sender = client("sender");
        receiver.subscribe("s", "/topic/kinds");
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 0, (byte) 0xc3};
        sender.send(new StompFrame(StompCommand.SEND, StompHeaders.of(
                "destination", "/topic/kinds", "content-type", "application/octet-stream",
                "content-length", Integer.toString(binary.length)), binary));
        sender.sendText(send("/topic/kinds", "grüße ✓"));

        RawStompClient.Received first = receiver.nextReceived(RawStompClient.TIMEOUT);
        RawStompClient.Received second = receiver.nextReceived(RawStompClient.TIMEOUT);

        assertThat(first).isNotNull();
        assertThat(first.text()).as("non-UTF-8 body travels in a binary message").isFalse();
        assertThat(first.frame().body()).as("NUL bytes kept thanks to content-length").isEqualTo(binary);
        assertThat(first.frame().header("content-length")).isEqualTo("7");
        assertThat(second).isNotNull();
        assertThat(second.text()).as("UTF-8 body travels in a text message").isTrue();
        assertThat(RawStompClient.text(second.frame())).isEqualTo("grüße ✓");
    }

    @Test
    void bodyWithNulBytesAndContentLengthRoundTrips() {
        RawStompClient c = client("nul");
        c.subscribe("s", "/topic/nul");
        byte[] body = "a\0b\0c".getBytes(StandardCharsets.UTF_8);

        c.send(new StompFrame(StompCommand.SEND, StompHeaders.of("destination", "/topic/nul",
                "content-length", "5"), body), StompVersion.V1_2);

        StompFrame message = c.expectMessage();
        assertThat(Arrays.equals(message.body(), body)).as("body %s", Arrays.toString(message.body())).isTrue();
    }

    @Test
    void serverSendsNoHeartBeatsWhenTheClientAsksForNone() {
        RawStompClient c = client("quiet");
        c.subscribe("s", "/topic/quiet");
        c.sendText(send("/topic/quiet", "x"));
        c.expectMessage();

        assertThat(c.heartBeatsReceived()).isZero();
    }
}
