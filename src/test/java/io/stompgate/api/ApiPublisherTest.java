package io.stompgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.app.AppHandlers;
import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.DeliveryListener;
import io.stompgate.broker.History;
import io.stompgate.broker.Publication;
import io.stompgate.broker.local.LocalBroker;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import io.stompgate.stomp.StompVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A publish request becomes what a SEND of the same message would: checked with the
 * session layer's destination rules and the node's frame limits, published through the
 * in-JVM broker with the SEND header policy; a refused one reaches nobody.
 */
class ApiPublisherTest {

    /** What the broker delivered to this node, as "topic key" or "user/queue" with the message. */
    record Delivered(String to, BrokerMessage message) {
    }

    final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    final LocalBroker broker = new LocalBroker("api-test", History.none(), new AppHandlers(List::of)::dispatch,
            LocalBroker.DEFAULT_QUEUE_MAX_LENGTH);

    {
        broker.start(new DeliveryListener() {
            @Override
            public void onTopicMessage(String key, BrokerMessage message) {
                delivered.add(new Delivered(key, message));
            }

            @Override
            public void onUserMessage(String user, String queue, BrokerMessage message) {
                delivered.add(new Delivered(user + "/" + queue, message));
            }
        }).block(Duration.ofSeconds(5));
    }

    ApiPublisher publisher(StompLimits limits) {
        return new ApiPublisher(broker, limits);
    }

    final ApiPublisher publisher = publisher(StompLimits.DEFAULTS);

    static Map<String, String> headers(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    String publish(PublishRequest request) {
        return publisher.publish(request).block(Duration.ofSeconds(5));
    }

    @Test
    void topicRequestIsPublishedToTheTopicWithItsHeadersAndContentType() {
        String id = publish(new PublishRequest("/topic/chat.lobby", "hello",
                headers("x-trace", "t-1", "priority", "high"), "text/plain"));

        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(delivered).hasSize(1);
        Delivered d = delivered.get(0);
        assertThat(d.to()).isEqualTo("chat.lobby");
        assertThat(new String(d.message().body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(d.message().headers()).isEqualTo(StompHeaders.of("x-trace", "t-1", "priority", "high",
                "content-type", "text/plain"));
    }

    @Test
    void userRequestIsPublishedToThatUsersQueueWithAPercentDecodedPrincipal() {
        publish(new PublishRequest("/user/team%2Fbob/queue/inbox", "{\"n\":1}", null, "application/json"));

        assertThat(delivered).singleElement().satisfies(d -> {
            assertThat(d.to()).isEqualTo("team/bob/inbox");
            assertThat(d.message().headers().get("content-type")).isEqualTo("application/json");
        });
    }

    @Test
    void eachCallHasItsOwnMessageId() {
        PublishRequest request = new PublishRequest("/topic/t", "x", null, null);

        assertThat(publish(request)).isNotEqualTo(publish(request));
    }

    @Test
    void aMissingBodyIsAnEmptyOne() {
        publish(new PublishRequest("/topic/t", null, null, null));

        assertThat(delivered).singleElement().satisfies(d -> assertThat(d.message().body()).isEmpty());
    }

    @Test
    void headersThatASendWouldNotForwardAreDroppedAlike() {
        publish(new PublishRequest("/topic/t", "x", headers("receipt", "r", "destination", "/topic/other",
                "message-id", "m", "stomp-user", "mallory", "passcode", "p", "kept", "yes"), null));

        assertThat(delivered).singleElement().satisfies(d -> {
            assertThat(d.to()).isEqualTo("t");
            assertThat(d.message().headers()).isEqualTo(StompHeaders.of("kept", "yes"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "''                     | missing destination: publish to /topic/<key> or /user/<principal>/queue/<name>",
            "/queue/jobs            | unknown destination type '/queue/jobs': the API publishes to /topic/<key> or /user/<principal>/queue/<name>",
            "/app/orders.create     | unknown destination type '/app/orders.create': the API publishes to /topic/<key> or /user/<principal>/queue/<name>",
            "/exchange/x            | unknown destination type '/exchange/x': the API publishes to /topic/<key> or /user/<principal>/queue/<name>",
            "/topic/prices.*        | cannot SEND to wildcard destination '/topic/prices.*'",
            "/topic/prices.#        | cannot SEND to wildcard destination '/topic/prices.#'",
            "/topic/                | destination '/topic/' has an empty key",
            "/user/queue/inbox      | SEND to '/user/queue/inbox' is not allowed; send to /user/<principal>/queue/<name>",
            "/user/bob/inbox        | unknown destination '/user/bob/inbox'; use /topic/<key>, /queue/<name>, /user/queue/<name>, /user/<principal>/queue/<name> or /app/<key>",
    })
    void destinationsASendCouldNotUseOrTheApiDoesNotServeAreRefused(String destination, String expected) {
        assertRefused(new PublishRequest(destination, "x", null, null), expected);
    }

    @Test
    void badHeadersAreRefusedNamingTheProblem() {
        assertRefused(new PublishRequest("/topic/t", "x", headers("", "v"), null),
                "bad headers: a header has an empty name");
        assertRefused(new PublishRequest("/topic/t", "x", headers("k", null), null),
                "bad headers: header 'k' has no value; header values are strings");
        assertRefused(new PublishRequest("/topic/t", "x", headers("k", "a\0b"), null),
                "bad headers: header 'k' holds a NUL character");
        assertRefused(new PublishRequest("/topic/t", "x", headers("n".repeat(256), "v"), null),
                "bad headers: header name '" + "n".repeat(117) + "...' is longer than 255 bytes");
        assertRefused(new PublishRequest("/topic/t", "x", headers("content-type", "text/plain"), "text/plain"),
                "bad headers: the content type is given twice, as contentType and as headers.content-type; give it once");
        assertRefused(new PublishRequest("/topic/t", "x", null, "t".repeat(256)),
                "bad contentType: longer than 255 bytes");
    }

    @Test
    void theContentTypeMayComeAsAHeaderInstead() {
        publish(new PublishRequest("/topic/t", "x", headers("content-type", "text/csv"), null));

        assertThat(delivered).singleElement()
                .satisfies(d -> assertThat(d.message().headers().get("content-type")).isEqualTo("text/csv"));
    }

    /** The SEND frame a request stands for, as a STOMP 1.2 client would write it. */
    static int sendFrameBytes(String destination, Map<String, String> headers, String contentType, byte[] body) {
        StompHeaders.Builder b = StompHeaders.builder().add("destination", destination);
        headers.forEach(b::add);
        if (contentType != null) {
            b.add("content-type", contentType);
        }
        b.add("content-length", Integer.toString(body.length));
        return StompEncoder.encode(new StompFrame(StompCommand.SEND, b.build(), body), StompVersion.V1_2).length;
    }

    @Test
    void aMessageWhoseSendFrameFitsTheFrameLimitExactlyIsPublishedAndOneByteMoreIsRefused() {
        Map<String, String> headers = headers("x-trace", "a:b\\c");
        byte[] body = "é".repeat(500).getBytes(StandardCharsets.UTF_8);
        int frame = sendFrameBytes("/topic/t", headers, "text/plain", body);
        PublishRequest request = new PublishRequest("/topic/t", "é".repeat(500), headers, "text/plain");

        publisher(StompLimits.of(frame, 64, 8192)).publish(request).block(Duration.ofSeconds(5));
        assertThat(delivered).hasSize(1);

        assertThatThrownBy(() -> publisher(StompLimits.of(frame - 1, 64, 8192)).publication(request))
                .isInstanceOf(PublishRefusedException.class)
                .hasMessage("message too large: its body (1000 bytes) and headers make a SEND frame of " + frame
                        + " bytes, more than " + (frame - 1) + " (gateway.limits.max-frame-bytes)");
    }

    @Test
    void aBodyOverTheShippedFrameLimitIsRefused() {
        assertThatThrownBy(() -> publisher.publication(new PublishRequest("/topic/t", "x".repeat(65_536), null, null)))
                .isInstanceOf(PublishRefusedException.class)
                .hasMessageStartingWith("message too large: its body (65536 bytes)")
                .hasMessageEndingWith("more than 65536 (gateway.limits.max-frame-bytes)");
    }

    @Test
    void headerCountAndHeaderLineLimitsCountAsInTheSendFrame() {
        ApiPublisher fourHeaders = publisher(StompLimits.of(65_536, 4, 64));

        assertThat(fourHeaders.publication(new PublishRequest("/topic/t", "x", headers("a", "1", "b", "2"), null)))
                .extracting(Publication::address).isEqualTo(new Address.Topic("t"));
        assertThatThrownBy(() -> fourHeaders.publication(new PublishRequest("/topic/t", "x",
                headers("a", "1", "b", "2", "c", "3"), null)))
                .hasMessage("bad headers: 5 headers, counting destination and content-length, are more than 4 "
                        + "(gateway.limits.max-headers)");
        String lineOf64 = "v".repeat(62); // "k:" and 62 bytes: the line limit exactly
        assertThat(fourHeaders.publication(new PublishRequest("/topic/t", "x", headers("k", lineOf64), null)))
                .isNotNull();
        assertThatThrownBy(() -> fourHeaders.publication(new PublishRequest("/topic/t", "x",
                headers("k", lineOf64 + "v"), null)))
                .hasMessage("bad headers: header 'k' makes a header line longer than 64 bytes "
                        + "(gateway.limits.max-header-line-bytes)");
    }

    private void assertRefused(PublishRequest request, String message) {
        assertThatThrownBy(() -> publish(request)).isInstanceOf(PublishRefusedException.class).hasMessage(message);
        assertThat(delivered).as("nothing published").isEmpty();
    }
}
