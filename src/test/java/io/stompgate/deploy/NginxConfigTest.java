package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.stompgate.deploy.NginxConfig.Directive;
import io.stompgate.testing.NeedsNginx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/nginx.conf passes {@code nginx -t} (the real nginx, from Debian's nginx-light; this
 * test fails when it is missing, it never skips), upgrades WebSockets, balances round-robin
 * with no stickiness, and keeps idle WebSockets open well past the STOMP heart-beat.
 */
class NginxConfigTest {

    private final Directive http = NginxConfig.parse(NginxConfig.text()).one("http");

    @NeedsNginx
    @Test
    void theConfigPassesNginxT(@TempDir Path dir) throws Exception {
        Result result = nginxT(dir, resolvable(NginxConfig.text()));
        assertThat(result.exitCode()).as("nginx -t:\n" + result.output()).isZero();
        assertThat(result.output()).contains("test is successful");
    }

    @NeedsNginx
    @Test
    void nginxTRejectsABrokenConfig(@TempDir Path dir) throws Exception {
        String broken = resolvable(NginxConfig.text()).replace("proxy_read_timeout", "proxy_read_timout");
        Result result = nginxT(dir, broken);
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("unknown directive \"proxy_read_timout\"");
    }

    @Test
    void webSocketsAreUpgraded() {
        Directive location = location();
        assertThat(location.one("proxy_http_version").args()).containsExactly("1.1");
        List<List<String>> headers = location.all("proxy_set_header").stream().map(Directive::args).toList();
        assertThat(headers).contains(List.of("Upgrade", "$http_upgrade"));
        List<String> connection = headers.stream().filter(h -> h.get(0).equals("Connection")).findFirst()
                .orElseThrow(() -> new AssertionError("no Connection header"));
        Directive map = http.all("map").stream().filter(m -> m.args().get(1).equals(connection.get(1))).findFirst()
                .orElseThrow(() -> new AssertionError("no map for " + connection.get(1)));
        assertThat(map.args().get(0)).isEqualTo("$http_upgrade");
        assertThat(map.one("default").args()).containsExactly("upgrade");
    }

    @Test
    void everyRequestGoesRoundRobinToTheGateways() {
        Directive upstream = http.one("upstream");
        assertThat(location().one("proxy_pass").args()).containsExactly("http://" + upstream.args().get(0));
        for (String method : List.of("ip_hash", "hash", "sticky", "least_conn", "random", "least_time")) {
            assertThat(upstream.all(method)).as(method + ": no stickiness, round-robin").isEmpty();
        }
        assertThat(upstream.all("server")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(http.one("server").all("location")).singleElement()
                .satisfies(l -> assertThat(l.args()).containsExactly("/"));
    }

    @Test
    void idleWebSocketsOutliveTheHeartBeat() {
        Duration heartBeat = Compose.read().gateways().stream()
                .map(g -> AppSettings.heartBeat(Compose.read().environment(g))).max(Duration::compareTo).orElseThrow();
        for (String timeout : List.of("proxy_read_timeout", "proxy_send_timeout")) {
            Duration value = nginxDuration(location().one(timeout).args().get(0));
            assertThat(value).as(timeout).isGreaterThanOrEqualTo(Duration.ofSeconds(75))
                    .isGreaterThanOrEqualTo(heartBeat.multipliedBy(6));
        }
    }

    private Directive location() {
        return http.one("server").one("location");
    }

    /**
     * The config with each upstream server's host (a Compose service name, resolvable only on
     * the Compose network) replaced by 127.0.0.1: nginx -t resolves upstream hosts.
     */
    static String resolvable(String config) {
        List<String> gateways = Compose.read().gateways();
        String result = config;
        for (String gateway : gateways) {
            result = result.replaceAll("(?m)(^\\s*server\\s+)" + Pattern.quote(gateway) + ":", "$1127.0.0.1:");
        }
        List<String> left = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*server\\s+([^\\s:;{]+)[^;{]*;").matcher(result);
        while (m.find()) {
            if (!m.group(1).equals("127.0.0.1")) {
                left.add(m.group(1));
            }
        }
        assertThat(left).as("upstream hosts that are not compose gateway services").isEmpty();
        return result;
    }

    record Result(int exitCode, String output) {
    }

    static Result nginxT(Path dir, String config) throws IOException, InterruptedException {
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config);
        String nginx = nginxBinary();
        Process process = new ProcessBuilder(nginx, "-t", "-p", dir + "/", "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("nginx -t did not finish in 30 s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String nginxBinary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
                return Path.of(dir, "nginx").toString();
            }
        }
        return fail("nginx is not installed, so docker/nginx.conf cannot be checked with nginx -t. Install it: "
                + "apt-get install -y --no-install-recommends nginx-light (.ci/run does this before the tests)");
    }

    private static Duration nginxDuration(String value) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(value);
        assertThat(m.matches()).as("an nginx time: " + value).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
