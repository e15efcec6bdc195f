package io.stompgate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a node's server API ({@code /api/**}) over HTTP as a backend would; null key means no X-API-Key header. */
public final class ApiClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A response: its status, body and the value of {@code header} asked for, if any. */
    public record Response(int status, String body, HttpResponse<String> raw) {

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private ApiClient() {
    }

    /** {@code POST /api/publish} with {@code json} as the body. */
    public static Response publish(int port, String key, String json) {
        return send(port, "POST", "/api/publish", key, json);
    }

    public static Response send(int port, String method, String path, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("X-API-Key", key);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        }
        catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JSON string literal for {@code s}: quotes, backslashes and control characters escaped. */
    public static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            }
            else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            }
            else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
