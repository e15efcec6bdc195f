package io.stompgate.wire.api;

import static io.stompgate.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.ApiClient;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.RawStompClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The server API (docs/protocol.md §10) on a two-node cluster over the local RabbitMQ:
 * a publish to either node reaches topic subscribers and every session of a user on both
 * nodes, exactly as a SEND would; every refused request gets its status and reaches
 * nobody; the key never reaches the logs.
 */
@NeedsRabbitMQ
@ExtendWith(OutputCaptureExtension.class)
class ServerApiTest {

    private static final String KEY = "api-test-key-" + UUID.randomUUID();
    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static GatewayNode nodeA;
    private static GatewayNode nodeB;

    private final List<RawStompClient> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        nodeA = GatewayNode.startRabbit("gateway.api.key=" + KEY);
        nodeB = GatewayNode.startRabbit("gateway.api.key=" + KEY);
    }

    @AfterAll
    static void stopCluster(CapturedOutput output) {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        assertThat(output.getAll()).as("the key is never logged").doesNotContain(KEY);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(RawStompClient::close);
    }

    private RawStompClient connected(GatewayNode node, String user) {
        RawStompClient c = node.client(user);
        clients.add(c);
        assertThat(c.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
        return c;
    }

    private static String topicKey() {
        return "api." + UUID.randomUUID().toString().replace("-", "");
    }

    private static String request(String destination, String body) {
        return "{\"destination\":" + json(destination) + ",\"body\":" + json(body) + "}";
    }

    private static ApiClient.Response publish(GatewayNode node, String json) {
        return ApiClient.publish(node.port(), KEY, json);
    }

    private static void assertPublished(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).matches("\\{\"messageId\":\"" + UUID_PATTERN + "\"}");
        assertThat(response.header("Content-Type")).startsWith("application/json");
    }

    /** The next thing {@code c} gets is a MESSAGE with body {@code body}: nothing came before it. */
    private static StompFrame assertNextMessage(RawStompClient c, String body) {
        StompFrame next = c.next(Duration.ofSeconds(10));
        assertThat(next).as("a MESSAGE").isNotNull();
        assertThat(next.command()).as(RawStompClient.describe(next)).isEqualTo(StompCommand.MESSAGE);
        assertThat(RawStompClient.text(next)).isEqualTo(body);
        return next;
    }

    @Test
    void publishToATopicReachesItsSubscribersOnBothNodesLikeASend() {
        String key = topicKey();
        RawStompClient onA = connected(nodeA, "reader-a").subscribe("s", "/topic/" + key);
        RawStompClient onB = connected(nodeB, "reader-b").subscribe("s", "/topic/" + key);

        ApiClient.Response response = publish(nodeA, "{\"destination\":\"/topic/" + key + "\",\"body\":\"price: 42 €\","
                + "\"headers\":{\"x-trace\":\"t-1\",\"receipt\":\"not-forwarded\"},\"contentType\":\"text/plain;charset=utf-8\"}");

        assertPublished(response);
        for (RawStompClient c : List.of(onA, onB)) {
            StompFrame message = assertNextMessage(c, "price: 42 €");
            assertThat(message.header("destination")).isEqualTo("/topic/" + key);
            assertThat(message.header("subscription")).isEqualTo("s");
            assertThat(message.header("content-type")).isEqualTo("text/plain;charset=utf-8");
            assertThat(message.header("x-trace")).isEqualTo("t-1");
            assertThat(message.header("receipt")).as("not forwarded, as from a SEND").isNull();
            assertThat(message.header("message-id")).isNotNull();
        }

        assertPublished(publish(nodeB, request("/topic/" + key, "from B")));
        assertNextMessage(onA, "from B");
        assertNextMessage(onB, "from B");
    }

    @Test
    void publishToAUserReachesEverySessionOfThatUserOnBothNodes() {
        RawStompClient bobOnA = connected(nodeA, "api-bob").subscribe("in", "/user/queue/inbox");
        RawStompClient bobOnB = connected(nodeB, "api-bob").subscribe("in", "/user/queue/inbox");
        RawStompClient aliceOnA = connected(nodeA, "api-alice").subscribe("in", "/user/queue/inbox");

        assertPublished(publish(nodeB, "{\"destination\":\"/user/api-bob/queue/inbox\",\"body\":\"{\\\"order\\\":42}\","
                + "\"contentType\":\"application/json\"}"));

        for (RawStompClient bob : List.of(bobOnA, bobOnB)) {
            StompFrame message = assertNextMessage(bob, "{\"order\":42}");
            assertThat(message.header("destination")).isEqualTo("/user/queue/inbox");
            assertThat(message.header("content-type")).isEqualTo("application/json");
        }
        assertPublished(publish(nodeA, request("/user/api-alice/queue/inbox", "only for alice")));
        assertNextMessage(aliceOnA, "only for alice");
        assertThat(bobOnA.next(Duration.ofMillis(300))).as("nothing more for bob").isNull();
    }

    @Test
    void aMissingOrWrongKeyGets401AndReachesNobody() {
        String key = topicKey();
        RawStompClient reader = connected(nodeA, "reader").subscribe("s", "/topic/" + key);
        String json = request("/topic/" + key, "refused");

        // (Whitespace around a header value is not part of it in HTTP: "KEY " is the key.)
        for (String wrong : new String[] {null, "", "wrong", KEY.toUpperCase(), KEY + "x", KEY.substring(1)}) {
            ApiClient.Response response = ApiClient.publish(nodeA.port(), wrong, json);
            assertThat(response.status()).as("key %s", wrong).isEqualTo(401);
            assertThat(response.body()).isIn("{\"error\":\"missing X-API-Key header\"}", "{\"error\":\"wrong X-API-Key\"}");
            assertThat(response.body()).doesNotContain(KEY);
        }
        assertThat(ApiClient.publish(nodeB.port(), null, json).body()).isEqualTo("{\"error\":\"missing X-API-Key header\"}");
        assertThat(ApiClient.publish(nodeB.port(), "wrong", json).body()).isEqualTo("{\"error\":\"wrong X-API-Key\"}");
        assertThat(ApiClient.send(nodeA.port(), "GET", "/api/anything", null, null).status())
                .as("every /api/** path needs the key").isEqualTo(401);
        assertThat(ApiClient.send(nodeA.port(), "POST", "/%61pi/publish", null, json).status())
                .as("a percent-encoded path that routes to the API").isEqualTo(401);

        assertPublished(publish(nodeA, request("/topic/" + key, "marker")));
        assertNextMessage(reader, "marker");
    }

    @Test
    void badRequestsGet400NamingWhatIsWrongAndReachNobody() {
        String key = topicKey();
        RawStompClient onA = connected(nodeA, "reader-a").subscribe("s", "/topic/" + key + ".#");
        RawStompClient onB = connected(nodeB, "reader-b").subscribe("s", "/topic/" + key + ".#");
        String topic = "/topic/" + key + ".x";
        String[][] cases = {
                {request("/queue/" + key, "x"), "unknown destination type '/queue/" + key
                        + "': the API publishes to /topic/<key> or /user/<principal>/queue/<name>"},
                {request("/app/" + key, "x"), "unknown destination type"},
                {request("/topic/" + key + ".*", "x"), "cannot SEND to wildcard destination '/topic/" + key + ".*'"},
                {request("/topic/" + key + ".#", "x"), "cannot SEND to wildcard destination"},
                {request("/user/queue/inbox", "x"), "SEND to '/user/queue/inbox' is not allowed"},
                {request(topic, "x".repeat(65_536)), "message too large: its body (65536 bytes) and headers make a "
                        + "SEND frame of"},
                {request(topic, "\u0001".repeat(50_000)), "request larger than 262144 bytes; a message's body and "
                        + "headers may make a SEND frame of at most gateway.limits.max-frame-bytes"},
                {"{\"destination\":" + json(topic) + ",\"body\":\"x\"", "malformed JSON: not valid JSON (line 1, column"},
                {"not json at all", "malformed JSON: not valid JSON"},
                {"[" + request(topic, "x") + "]", "malformed JSON: the request body must be one JSON object"},
                {request(topic, "x") + " {}", "malformed JSON: the request body must be one JSON object"},
                {"{\"destination\":" + json(topic) + ",\"body\":\"x\",\"header\":{}}",
                        "malformed JSON: unknown field 'header'; the fields are destination, body, headers and contentType"},
                {"{\"destination\":" + json(topic) + ",\"headers\":[\"a\"]}", "malformed JSON: field 'headers' has the wrong type"},
                {"{\"destination\":" + json(topic) + ",\"headers\":{\"a\":{\"b\":1}}}",
                        "malformed JSON: field 'headers.a' has the wrong type"},
                {"{\"destination\":" + json(topic) + ",\"headers\":{\"\":\"v\"}}", "bad headers: a header has an empty name"},
                {"{\"destination\":" + json(topic) + ",\"headers\":{\"k\":null}}", "bad headers: header 'k' has no value"},
                {"{\"destination\":" + json(topic) + ",\"headers\":{\"content-type\":\"a/b\"},\"contentType\":\"a/b\"}",
                        "bad headers: the content type is given twice"},
                {"{\"body\":\"x\"}", "missing destination"},
                {"", "malformed JSON: the request has no body"},
        };
        for (String[] c : cases) {
            ApiClient.Response response = publish(nodeA, c[0]);
            assertThat(response.status()).as("%s -> %s", abbreviate(c[0]), response.body()).isEqualTo(400);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            assertThat(response.body()).as(abbreviate(c[0])).startsWith("{\"error\":" + json(c[1]).replaceAll("\"$", ""));
        }

        assertPublished(publish(nodeB, request(topic, "marker")));
        assertNextMessage(onA, "marker");
        assertNextMessage(onB, "marker");
    }

    @Test
    void otherApiPathsAnswer404AndOtherMethods405() {
        ApiClient.Response unknown = ApiClient.send(nodeA.port(), "GET", "/api/nothing-here", KEY, null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"no API endpoint at GET /api/nothing-here\"}");

        ApiClient.Response get = ApiClient.send(nodeA.port(), "GET", "/api/publish", KEY, null);
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.header("Allow")).isEqualTo("POST");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
