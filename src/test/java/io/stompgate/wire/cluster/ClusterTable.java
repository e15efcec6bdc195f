package io.stompgate.wire.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /actuator/cluster} of a node, read as a test sees it. */
final class ClusterTable {

    /** One row of the answer. */
    record Row(String node, int sessions, String state, long lastSeenMs) {
    }

    /** The whole answer. */
    record Answer(String self, List<Row> members) {

        Row member(String node) {
            return members.stream().filter(r -> r.node().equals(node)).findFirst().orElse(null);
        }

        boolean hasReady(String... nodes) {
            for (String n : nodes) {
                Row r = member(n);
                if (r == null || !r.state().equals("ready")) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClusterTable() {
    }

    static Answer of(int port) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/cluster")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("/actuator/cluster answered " + response.statusCode());
            }
            JsonNode json = JSON.readTree(response.body());
            List<Row> rows = new ArrayList<>();
            for (JsonNode m : json.get("members")) {
                rows.add(new Row(m.get("node").stringValue(), m.get("sessions").intValue(), m.get("state").stringValue(),
                        m.get("lastSeenMs").longValue()));
            }
            return new Answer(json.get("self").stringValue(), rows);
        }
        catch (IOException e) {
            throw new AssertionError("/actuator/cluster not reachable: " + e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The body as text, to check its exact shape. */
    static String raw(int port) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/cluster")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static boolean ready(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
