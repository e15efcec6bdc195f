package io.stompgate.wire.ops;

import static io.stompgate.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.RawStompClient;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The contract's metrics on /actuator/prometheus: present, tagged with the node
 * id, counting what happened, and never labelled with a principal or a destination.
 */
class PrometheusMetricsTest {

    @Test
    void stompMetricsAreExposedWithTheNodeLabelAndNothingUnbounded() throws Exception {
        try (GatewayNode node = GatewayNode.startLocal("gateway.node-id=metrics-node")) {
            try (RawStompClient alice = node.client("alice-secret-name")) {
                alice.connectStomp();
                alice.subscribe("s", "/topic/private.destination");
                alice.sendAndAwaitReceipt("SEND\ndestination:/topic/private.destination\nreceipt:r\n\nx\0", "r");
                alice.expectMessage();
            }
            try (RawStompClient bad = node.client("bob")) {
                bad.connectStomp();
                bad.sendText("FOO\n\n\0");
                bad.expect(io.stompgate.stomp.StompCommand.ERROR);
            }
            String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + node.port() + "/actuator/prometheus")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (String name : new String[] {"stomp_sessions_active", "stomp_frames_received_total",
                    "stomp_frames_sent_total", "stomp_messages_delivered_total", "stomp_errors_total",
                    "stomp_slow_consumer_disconnects_total", "stomp_broker_reconnects_total"}) {
                assertThat(text).as(name).containsPattern("(?m)^" + name + "\\{[^}]*node=\"metrics-node\"");
            }
            assertThat(text).contains("stomp_frames_received_total{command=\"SEND\",node=\"metrics-node\"} 1.0");
            assertThat(text).contains("stomp_messages_delivered_total{node=\"metrics-node\"} 1.0");
            assertThat(text).contains("stomp_errors_total{node=\"metrics-node\",reason=\"unknown_command\"} 1.0");
            assertThat(text).contains("stomp_broker_reconnects_total{node=\"metrics-node\"} 0.0");
            Set<String> labels = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^stomp_\\w+\\{([^}]*)}").matcher(text);
            while (m.find()) {
                for (String pair : m.group(1).split(",")) {
                    labels.add(pair.substring(0, pair.indexOf('=')));
                }
            }
            assertThat(labels).isSubsetOf("node", "command", "reason", "quantile", "le");
            assertThat(text).doesNotContain("alice-secret-name").doesNotContain("private.destination");
        }
    }

    @Test
    void anApplicationMessageNobodyHandlesIsADestinationErrorNotABrokerFailure() throws Exception {
        try (GatewayNode node = GatewayNode.startLocal("gateway.node-id=app-node")) {
            try (RawStompClient alice = node.client("alice")) {
                alice.connectStomp();
                alice.sendText("SEND\ndestination:/app/nobody.home\nreceipt:r\n\nx\0");
                assertError(alice.next(), "no application handler for '/app/nobody.home'");
            }
            String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + node.port() + "/actuator/prometheus")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(text).contains("stomp_errors_total{node=\"app-node\",reason=\"destination\"} 1.0");
            assertThat(text).doesNotContainPattern("stomp_errors_total\\{node=\"app-node\",reason=\"broker\"} [1-9]");
        }
    }
}
