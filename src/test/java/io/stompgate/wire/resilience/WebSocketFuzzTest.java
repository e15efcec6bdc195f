package io.stompgate.wire.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stompgate.session.SessionRegistry;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompFrame;
import io.stompgate.testing.GatewayNode;
import io.stompgate.testing.NettyLeakRecorder;
import io.stompgate.testing.RawStompClient;
import io.stompgate.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing over real WebSockets: thousands of connections each send a
 * valid CONNECT and then one randomly generated or mutated bad input
 * (oversized, truncated then broken, bad escapes, bad content-length, unknown
 * commands, binary garbage, split at random points over several messages).
 * Every one must get an ERROR with a message and be closed; the node never
 * dies, keeps serving, ends with zero sessions, and leaks no buffer. The seed
 * is printed on failure and replayed with {@code -Dstomp.seed=...}.
 */
class WebSocketFuzzTest {

    private static final int CASES = Integer.getInteger("stomp.fuzz.cases", 5000);
    private static final int MAX_FRAME_BYTES = 4096;

    @Test
    void everyBadInputGetsAnErrorAndACloseAndTheNodeCarriesOn() {
        Seeds.withSeed("WebSocket fuzzing", seed -> {
            String replay = Seeds.replay(seed);
            try (GatewayNode node = GatewayNode.startLocal("gateway.limits.max-frame-bytes=" + MAX_FRAME_BYTES)) {
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<String>> results = new ArrayList<>();
                AtomicInteger errors = new AtomicInteger();
                for (int c = 0; c < CASES; c++) {
                    int caseNo = c;
                    results.add(pool.submit(() -> runCase(node.port(), new Random(seed * 31 + caseNo), caseNo, errors)));
                }
                List<String> failures = new ArrayList<>();
                for (Future<String> f : results) {
                    String failure = f.get();
                    if (failure != null) {
                        failures.add(failure);
                    }
                }
                pool.shutdown();
                assertThat(failures).as(replay).isEmpty();
                assertThat(errors.get()).isEqualTo(CASES);

                // The node still serves.
                try (RawStompClient healthy = RawStompClient.connectAs(node.port(), "healthy")) {
                    assertThat(healthy.connectStomp().command()).isEqualTo(StompCommand.CONNECTED);
                    healthy.subscribe("s", "/topic/alive");
                    healthy.sendText("SEND\ndestination:/topic/alive\n\nstill here\0");
                    assertThat(RawStompClient.text(healthy.expectMessage())).isEqualTo("still here");
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> node.bean(SessionRegistry.class).sessionCount() == 0);
                NettyLeakRecorder.collectAndProbe();
                assertThat(NettyLeakRecorder.leaks()).as("Netty buffer leaks, " + replay).isEmpty();
            }
        });
    }

    /** One connection, one bad input; null when it was answered with an ERROR and a close. */
    private static String runCase(int port, Random random, int caseNo, AtomicInteger errors) {
        Bad bad = generate(random);
        try (RawStompClient client = RawStompClient.connectAs(port, "fuzz" + caseNo)) {
            StompFrame connected = client.connectStomp();
            if (connected.command() != StompCommand.CONNECTED) {
                return "case " + caseNo + ": no CONNECTED";
            }
            for (byte[] piece : split(bad.bytes, random)) {
                if (random.nextBoolean()) {
                    client.sendBinary(piece);
                }
                else {
                    client.sendBinary(piece); // the server reads text and binary alike; bytes may not be UTF-8
                }
            }
            StompFrame answer = client.next(Duration.ofSeconds(10));
            if (answer == null || answer.command() != StompCommand.ERROR) {
                return "case " + caseNo + " (" + bad.kind + "): expected ERROR, got " + (answer == null ? "nothing" : answer.command());
            }
            String message = answer.header("message");
            if (message == null || message.isBlank()) {
                return "case " + caseNo + " (" + bad.kind + "): ERROR without a message";
            }
            if (!client.awaitClosed(Duration.ofSeconds(10))) {
                return "case " + caseNo + " (" + bad.kind + "): not closed after the ERROR";
            }
            errors.incrementAndGet();
            return null;
        }
        catch (RuntimeException e) {
            return "case " + caseNo + " (" + bad.kind + "): " + e;
        }
    }

    private record Bad(String kind, byte[] bytes) { }

    private static Bad generate(Random r) {
        String dest = "/topic/fuzz." + r.nextInt(10);
        switch (r.nextInt(9)) {
            case 0 -> {
                int size = MAX_FRAME_BYTES + 1 + r.nextInt(3 * MAX_FRAME_BYTES);
                return bad("oversized", "SEND\ndestination:" + dest + "\n\n" + "x".repeat(size) + "\0");
            }
            case 1 -> {
                String[] values = {"ten", "-1", "+5", " 5", "99999999999", "", "0x10", "1e3"};
                return bad("bad content-length", "SEND\ndestination:" + dest + "\ncontent-length:"
                        + values[r.nextInt(values.length)] + "\n\nbody\0");
            }
            case 2 -> {
                int declared = r.nextInt(20);
                String body = "b".repeat(declared + 1 + r.nextInt(20));
                return bad("content-length mismatch", "SEND\ndestination:" + dest + "\ncontent-length:" + declared
                        + "\n\n" + body + "\0");
            }
            case 3 -> {
                char[] undefined = {'t', 'a', 'x', '0', ' ', 'q'};
                return bad("bad escape", "SEND\ndestination:" + dest + "\nx-h:a\\" + undefined[r.nextInt(undefined.length)]
                        + "b\n\nbody\0");
            }
            case 4 -> {
                String[] commands = {"send", "FOO", "SENDX", "MESSAGE", "CONNECTED", "RECEIPT", "GET / HTTP/1.1"};
                return bad("unknown or server command", commands[r.nextInt(commands.length)] + "\ndestination:" + dest + "\n\nx\0");
            }
            case 5 -> {
                byte[] garbage = new byte[1 + r.nextInt(200)];
                r.nextBytes(garbage);
                garbage[0] = (byte) (0x80 | r.nextInt(0x7f)); // never a command's first letter, never an EOL
                byte[] withNul = new byte[garbage.length + 1];
                System.arraycopy(garbage, 0, withNul, 0, garbage.length);
                return new Bad("binary garbage", withNul);
            }
            case 6 -> {
                String frame = "SEND\ndestination:" + dest + "\nx-a:1\n\nhello\0";
                int cut = 5 + r.nextInt(frame.length() - 12);
                return bad("truncated headers then NUL", frame.substring(0, cut) + "\0");
            }
            case 7 -> {
                return bad("header without colon", "SEND\ndestination:" + dest + "\nnocolon" + r.nextInt(100) + "\n\nx\0");
            }
            default -> {
                StringBuilder sb = new StringBuilder("SEND\ndestination:" + dest + "\n");
                for (int i = 0; i < 65 + r.nextInt(10); i++) {
                    sb.append("h").append(i).append(":v\n");
                }
                return bad("too many headers", sb.append("\nx\0").toString());
            }
        }
    }

    private static Bad bad(String kind, String text) {
        return new Bad(kind, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Cuts {@code bytes} into one to four pieces at random points. */
    private static List<byte[]> split(byte[] bytes, Random r) {
        List<byte[]> pieces = new ArrayList<>();
        int pieceCount = 1 + r.nextInt(4);
        int start = 0;
        for (int i = 1; i < pieceCount && start < bytes.length - 1; i++) {
            int end = start + 1 + r.nextInt(bytes.length - start - 1);
            pieces.add(java.util.Arrays.copyOfRange(bytes, start, end));
            start = end;
        }
        pieces.add(java.util.Arrays.copyOfRange(bytes, start, bytes.length));
        return pieces;
    }
}
