package io.stompgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the layering readable from the folder names: reads the import lines of
 * every main source file and reports each one that crosses a layer boundary.
 */
class ArchitectureTest {

    private static final String BASE = "io.stompgate";
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;");

    @Test
    void layersImportOnlyWhatTheyMay() {
        Path sources = Path.of(System.getProperty("basedir", ".")).resolve("src/main/java/io/stompgate");
        assertThat(sources.resolve("stomp")).as("codec sources").isDirectory();

        List<String> violations = violations(sources);

        if (!violations.isEmpty()) {
            fail("Imports that break the layering:\n  " + String.join("\n  ", violations));
        }
    }

    @Test
    void reportsTheOffendingFileAndImport(@TempDir Path sources) throws IOException {
        write(sources, "stomp/Bad.java", "package io.stompgate.stomp;",
                "import io.stompgate.session.StompSession;", "import reactor.core.publisher.Mono;",
                "import io.stompgate.stomp.StompFrame;");
        write(sources, "session/Bad.java", "package io.stompgate.session;",
                "import io.stompgate.broker.local.LocalBroker;", "import io.stompgate.broker.MessageBroker;");
        write(sources, "broker/Bad.java", "package io.stompgate.broker;", "import io.stompgate.session.Subscription;");
        write(sources, "broker/local/Bad.java", "package io.stompgate.broker.local;",
                "import static io.stompgate.config.GatewayProperties.DEFAULT;", "import io.stompgate.app.AppMessage;");
        write(sources, "ops/Bad.java", "package io.stompgate.ops;", "import com.rabbitmq.client.Channel;");
        write(sources, "broker/rabbitmq/Fine.java", "package io.stompgate.broker.rabbitmq;",
                "import com.rabbitmq.client.Channel;", "import reactor.rabbitmq.Sender;");

        List<String> violations = violations(sources);

        assertThat(violations).hasSize(6).anySatisfy(v -> assertThat(v)
                        .contains("stomp" + File.separator + "Bad.java:2").contains("io.stompgate.session.StompSession"))
                .anySatisfy(v -> assertThat(v).contains("reactor.core.publisher.Mono"))
                .anySatisfy(v -> assertThat(v).contains("io.stompgate.broker.local.LocalBroker"))
                .anySatisfy(v -> assertThat(v).contains("io.stompgate.session.Subscription"))
                .anySatisfy(v -> assertThat(v).contains("io.stompgate.config.GatewayProperties.DEFAULT"));
        assertThat(String.join("\n", violations)).contains("com.rabbitmq.client.Channel").doesNotContain("Fine.java");
    }

    static List<String> violations(Path sources) {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String layer = layerOf(sources.relativize(file.getParent()));
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = IMPORT.matcher(lines.get(i));
                    if (m.find()) {
                        String rule = brokenRule(layer, m.group(1));
                        if (rule != null) {
                            violations.add(sources.relativize(file) + ":" + (i + 1) + " imports " + m.group(1) + " (" + rule + ")");
                        }
                    }
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return violations;
    }

    /** The rule that importing {@code imported} from package {@code layer} breaks, or null. */
    private static String brokenRule(String layer, String imported) {
        String target = packageOf(imported);
        boolean ours = target.equals(BASE) || target.startsWith(BASE + ".");
        String ourLayer = ours ? target.substring(Math.min(target.length(), BASE.length() + 1)) : null;

        if (!in(layer, "broker.rabbitmq") && (in(target, "com.rabbitmq") || in(target, "reactor.rabbitmq"))) {
            return "only broker.rabbitmq may use the RabbitMQ client";
        }
        if (in(layer, "stomp")) {
            if (ours && !in(ourLayer, "stomp")) {
                return "stomp depends on nothing else of ours";
            }
            if (target.startsWith("org.springframework") || in(target, "reactor")) {
                return "stomp uses neither Spring nor Reactor";
            }
        }
        if (in(layer, "session") && ours && !in(ourLayer, "stomp") && !ourLayer.equals("broker") && !in(ourLayer, "session")) {
            return "session may use only stomp, the broker SPI and itself";
        }
        if (layer.equals("broker") && ours && !in(ourLayer, "stomp") && !ourLayer.equals("broker")) {
            return "the broker SPI may use only stomp and itself";
        }
        if ((in(layer, "broker.local") || in(layer, "broker.rabbitmq")) && ours
                && Stream.of("session", "transport", "config", "auth").anyMatch(l -> in(ourLayer, l))) {
            return "broker implementations never depend on session, transport, config or auth";
        }
        return null;
    }

    /** Whether package {@code pkg} is {@code parent} or inside it. */
    private static boolean in(String pkg, String parent) {
        return pkg.equals(parent) || pkg.startsWith(parent + ".");
    }

    /** {@code a.b.C.d} and {@code a.b.*} are in package {@code a.b}: the names before the first capitalised one. */
    private static String packageOf(String imported) {
        String[] parts = imported.split("\\.");
        StringBuilder pkg = new StringBuilder();
        for (String part : parts) {
            if (part.equals("*") || Character.isUpperCase(part.charAt(0))) {
                break;
            }
            if (pkg.length() > 0) {
                pkg.append('.');
            }
            pkg.append(part);
        }
        return pkg.toString();
    }

    private static String layerOf(Path relativeDirectory) {
        return relativeDirectory.toString().replace(File.separatorChar, '.');
    }

    private static void write(Path root, String file, String... lines) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.write(path, List.of(lines));
    }
}
