package io.stompgate.wire.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.GatewayNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page is served by the gateway itself: {@code /} is the page
 * (WebFlux's welcome page, static/index.html), and its script, style and the
 * stompjs module it imports from the WebJar all resolve, so a version bump of the
 * WebJar without the matching import path fails here rather than in a browser.
 */
class DemoPageTest {

    private static GatewayNode node;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        node = GatewayNode.startLocal();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void slashServesThePageToBrowsersAndToPlainClients() throws Exception {
        for (String accept : new String[] {"text/html,application/xhtml+xml,*/*;q=0.8", "*/*"}) {
            HttpResponse<String> page = get("/", accept);
            assertThat(page.statusCode()).as("GET / with Accept: %s", accept).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.body()).contains("<title>stompgate · chat demo</title>")
                    .contains("<script type=\"module\" src=\"/demo/chat.js\"></script>")
                    .contains("href=\"/demo/chat.css\"");
        }
    }

    @Test
    void scriptStyleAndTheStompjsModuleItImportsResolve() throws Exception {
        HttpResponse<String> script = get("/demo/chat.js", "*/*");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));

        Matcher importLine = Pattern.compile("from '(/webjars/stomp__stompjs/[^']+)'").matcher(script.body());
        assertThat(importLine.find()).as("chat.js imports stompjs from its WebJar").isTrue();
        HttpResponse<String> stompjs = get(importLine.group(1), "*/*");
        assertThat(stompjs.statusCode()).as("GET %s", importLine.group(1)).isEqualTo(200);
        assertThat(stompjs.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(stompjs.body()).contains("export * from './client.js'");

        HttpResponse<String> style = get("/demo/chat.css", "text/css,*/*;q=0.1");
        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(style.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
        assertThat(style.body()).contains("@media (max-width: 640px)");
    }

    @Test
    void theScriptNeverWritesHtml() throws Exception {
        String script = get("/demo/chat.js", "*/*").body();
        for (String sink : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("}) {
            assertThat(script).as("chat.js puts user text in the DOM as text only").doesNotContain(sink);
        }
    }

    private static HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .header("Accept", accept).timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
