package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.deploy.NginxConfig.Directive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose.scale.yaml, the compose demo's scale-out (docs/deploying.md): laid over
 * compose.yaml it adds gateway-3, a node like the other two, and a balancer that finds
 * the nodes by a network alias, so a node started later joins it; docker/nginx-scale.conf
 * is nginx.conf with only the way to the nodes changed, and passes {@code nginx -t}.
 */
class ComposeScaleTest {

    private static final Path FILE = Manifests.docker().resolve("compose.scale.yaml");
    private static final Path NGINX = Manifests.docker().resolve("nginx-scale.conf");

    private final Compose base = Compose.read();
    private final Compose scale = read();

    private static Compose read() {
        try {
            return Compose.parse(Files.readString(FILE));
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void itIsAPortableOverrideOfKnownKeys() {
        assertThat(scale.root).doesNotContainKey("name"); // Compose v1 refuses a top-level name
        assertThat(scale.unknownKeys()).isEmpty();
        assertThat(scale.services().keySet()).containsExactlyInAnyOrder("gateway-1", "gateway-2", "gateway-3", "lb");
        scale.services().values().forEach(s -> assertThat(s).doesNotContainKey("ports"));
    }

    @Test
    void gatewayThreeIsLikeTheOthersButForItsNodeId() {
        Map<String, Object> three = new LinkedHashMap<>(scale.service("gateway-3"));
        for (String gateway : base.gateways()) {
            Map<String, Object> other = new LinkedHashMap<>(base.service(gateway));
            Map<String, String> env = new LinkedHashMap<>(scale.environment("gateway-3"));
            Map<String, String> otherEnv = new LinkedHashMap<>(base.environment(gateway));
            assertThat(env.remove("GATEWAY_NODE_ID")).isNotEqualTo(otherEnv.remove("GATEWAY_NODE_ID"));
            assertThat(env).isEqualTo(otherEnv);
            for (Map<String, Object> service : List.of(three, other)) {
                service.remove("environment");
                service.remove("networks");
            }
            assertThat(three).as("gateway-3 against " + gateway).isEqualTo(other);
        }
    }

    @Test
    void everyGatewayAnswersToTheAliasTheBalancerResolves() {
        List<String> gateways = new ArrayList<>(base.gateways());
        gateways.add("gateway-3");
        for (String gateway : gateways) {
            assertThat(scale.service(gateway).get("networks")).as(gateway)
                    .isEqualTo(Map.of("default", Map.of("aliases", List.of("gateways"))));
        }
        assertThat(scale.service("lb").get("volumes")).isEqualTo(List.of("./nginx-scale.conf:/etc/nginx/nginx.conf:ro"));
        assertThat(scale.service("lb")).containsOnlyKeys("volumes");

        Directive http = NginxConfig.parse(text()).one("http");
        assertThat(http.one("resolver").args()).containsExactly("127.0.0.11", "valid=2s", "ipv6=off");
        Directive location = http.one("server").one("location");
        assertThat(location.one("set").args()).containsExactly("$gateways", "gateways");
        int port = AppSettings.serverPort(base.environment(base.gateways().get(0)));
        assertThat(location.one("proxy_pass").args()).containsExactly("http://$gateways:" + port);
    }

    @Test
    void theBalancerIsNginxConfButForTheWayToTheNodes() {
        Directive scaled = NginxConfig.parse(text());
        Directive plain = NginxConfig.parse(NginxConfig.text());
        assertThat(withoutRouting(scaled)).isEqualTo(withoutRouting(plain));
    }

    @Test
    void theBalancerPassesNginxT(@TempDir Path dir) throws Exception {
        NginxConfigTest.Result result = NginxConfigTest.nginxT(dir, text());
        assertThat(result.exitCode()).as("nginx -t:\n" + result.output()).isZero();
        assertThat(result.output()).contains("test is successful");
    }

    private static String text() {
        try {
            return Files.readString(NGINX);
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The tree without what routes to the nodes: upstream, resolver, and the location's set and proxy_pass. */
    private static Directive withoutRouting(Directive d) {
        if (d.block() == null) {
            return d;
        }
        List<Directive> kept = new ArrayList<>();
        for (Directive child : d.block()) {
            if (!List.of("upstream", "resolver", "set", "proxy_pass").contains(child.name())) {
                kept.add(withoutRouting(child));
            }
        }
        return new Directive(d.name(), d.args(), kept);
    }
}
