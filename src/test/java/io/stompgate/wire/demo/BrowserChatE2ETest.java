package io.stompgate.wire.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NeedsBrowser;
import io.stompgate.testing.NeedsRabbitMQ;
import io.stompgate.testing.Rabbit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The demo chat page in a real browser, across a cluster: two gateway nodes in
 * {@code rabbitmq} mode whose chat rooms keep a history, and {@code e2e/chat.e2e.mjs}
 * driving headless Chromium (Debian's {@code chromium}, through {@code playwright-core})
 * with three people: room messages cross the nodes with sender and nodes shown, a
 * direct message reaches only its addressee, each page shows its node, a dropped
 * connection comes back by itself; a page that was offline while five messages were
 * sent resumes from its last offset and shows exactly those, once, in order, then
 * live ones; a page opened fresh shows the room's history. A third node, without
 * history, shows that the page works there too. Leaves {@code target/e2e/chat.png}
 * (the three pages side by side), {@code target/e2e/chat-history.png} (the resumed
 * page next to the fresh one) and the script's output in {@code target/e2e/chat-e2e.log}.
 *
 * <p>Never skipped: without node, the npm packages or Chromium it fails and says
 * what to install ({@code .ci/run} installs them).
 */
@NeedsRabbitMQ
@NeedsBrowser
class BrowserChatE2ETest {

    private static final long TIMEOUT_SECONDS = 300;

    @Test
    void peopleOnTwoNodesChatADirectMessageReachesOnlyItsAddresseeAndAPageThatWasAwayGetsWhatItMissedOnce() throws Exception {
        Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path script = base.resolve("e2e/chat.e2e.mjs");
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
        String node = nodeVersion();
        if (node == null) {
            fail("The browser test needs Node.js (>= 20) on the PATH: apt-get install -y nodejs npm "
                    + "(then npm ci --prefix e2e); .ci/run does this");
        }
        if (!Files.isDirectory(base.resolve("e2e/node_modules/playwright-core"))) {
            fail("The browser test needs its npm packages in " + base.resolve("e2e/node_modules")
                    + ": run 'npm ci --prefix e2e' (.ci/run does this)");
        }
        if (!Files.isExecutable(chromium)) {
            fail("The browser test needs Chromium at " + chromium + ": apt-get install -y chromium "
                    + "(or set CHROMIUM_PATH); .ci/run does this");
        }

        Path out = base.resolve("target/e2e");
        Files.createDirectories(out);
        Path screenshot = out.resolve("chat.png");
        Path historyShot = out.resolve("chat-history.png");
        Path log = out.resolve("chat-e2e.log");
        Files.deleteIfExists(screenshot);
        Files.deleteIfExists(historyShot);

        String suffix = UUID.randomUUID().toString().substring(0, 4);
        String stream = "stomp.history.e2e-" + UUID.randomUUID().toString().substring(0, 8);
        try (GatewayNode a = rabbitNode("node-a-" + suffix, stream);
             GatewayNode b = rabbitNode("node-b-" + suffix, stream);
             GatewayNode plain = GatewayNode.startLocal("gateway.node-id=no-history-" + suffix)) {
            List<String> command = List.of("node", script.toString(),
                    "http://127.0.0.1:" + a.port() + "/", "http://127.0.0.1:" + b.port() + "/",
                    screenshot.toString(), a.nodeId(), b.nodeId(), "http://127.0.0.1:" + plain.port() + "/");
            Process process = new ProcessBuilder(command)
                    .directory(base.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println("--- " + String.join(" ", command) + " (node " + node + ")\n" + output);
            assertThat(finished).as("chat.e2e.mjs did not finish within %d s; its output:%n%s", TIMEOUT_SECONDS, output)
                    .isTrue();
            assertThat(process.exitValue()).as("exit code of chat.e2e.mjs; its output:%n%s", output).isZero();
        }
        finally {
            try (Rabbit rabbit = Rabbit.connect()) {
                rabbit.deleteQueue(stream);
            }
        }
        for (Path shot : List.of(screenshot, historyShot)) {
            assertThat(shot).as("the screenshot").exists();
            byte[] png = Files.readAllBytes(shot);
            assertThat(png).as("a PNG").startsWith(0x89, 'P', 'N', 'G');
            assertThat(png.length).as("screenshot size of %s", shot.getFileName()).isGreaterThan(20_000);
        }
    }

    /**
     * A node in {@code rabbitmq} mode with a readable id (it shows on the pages and in the
     * screenshot), whose chat rooms keep a history in {@code stream}, this test's own, and show
     * who is in them (presence).
     */
    private static GatewayNode rabbitNode(String nodeId, String stream) {
        return GatewayNode.startRabbit("gateway.node-id=" + nodeId, "gateway.history.destinations=/topic/chat.#",
                "gateway.presence.destinations=/topic/chat.#",
                "gateway.rabbitmq.history-stream=" + stream);
    }

    /** {@code node --version}, or null when there is no node to run. */
    private static String nodeVersion() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? version : null;
        }
        catch (IOException e) {
            return null;
        }
    }
}
