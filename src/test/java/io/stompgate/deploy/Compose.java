package io.stompgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml, read with SnakeYAML (anchors and {@code <<} merge keys resolved as
 * Compose does; duplicate keys refused) and checked against the Compose specification's
 * names, so a misspelled key is found rather than ignored.
 */
final class Compose {

    static final Set<String> TOP_LEVEL = Set.of("name", "services", "networks", "volumes", "configs", "secrets", "include");

    /** The service attributes of the Compose specification. */
    static final Set<String> SERVICE_KEYS = Set.of("annotations", "attach", "blkio_config", "build", "cap_add",
            "cap_drop", "cgroup", "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
            "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset",
            "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt",
            "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose", "extends", "external_links",
            "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "labels",
            "label_file", "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness",
            "memswap_limit", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit",
            "platform", "ports", "post_start", "pre_stop", "privileged", "profiles", "pull_policy", "read_only",
            "restart", "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period",
            "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "user", "userns_mode", "uts", "volumes",
            "volumes_from", "working_dir");

    static final Set<String> HEALTHCHECK_KEYS = Set.of("test", "interval", "timeout", "retries", "start_period",
            "start_interval", "disable");

    static final Set<String> BUILD_KEYS = Set.of("context", "dockerfile", "dockerfile_inline", "args", "ssh",
            "cache_from", "cache_to", "additional_contexts", "extra_hosts", "isolation", "labels", "network", "no_cache",
            "platforms", "privileged", "pull", "secrets", "shm_size", "tags", "target", "ulimits");

    static final Set<String> DEPENDS_ON_KEYS = Set.of("condition", "restart", "required");

    static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy", "service_completed_successfully");

    final Map<String, Object> root;

    private Compose(Map<String, Object> root) {
        this.root = root;
    }

    static Path file() {
        return Manifests.docker().resolve("compose.yaml");
    }

    static Compose read() {
        try {
            return parse(Files.readString(file()));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Compose parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object loaded = new Yaml(options).load(text);
        if (!(loaded instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("compose file is not a mapping");
        }
        return new Compose((Map<String, Object>) loaded);
    }

    /** Keys the Compose specification does not define (x- extensions aside), as paths. */
    List<String> unknownKeys() {
        List<String> unknown = new ArrayList<>();
        root.keySet().stream().filter(k -> !k.startsWith("x-") && !TOP_LEVEL.contains(k)).forEach(unknown::add);
        services().forEach((name, service) -> {
            service.keySet().stream().filter(k -> !k.startsWith("x-") && !SERVICE_KEYS.contains(k))
                    .forEach(k -> unknown.add("services." + name + "." + k));
            if (service.get("healthcheck") instanceof Map<?, ?> health) {
                health.keySet().stream().filter(k -> !HEALTHCHECK_KEYS.contains(k))
                        .forEach(k -> unknown.add("services." + name + ".healthcheck." + k));
            }
            if (service.get("build") instanceof Map<?, ?> build) {
                build.keySet().stream().filter(k -> !BUILD_KEYS.contains(k))
                        .forEach(k -> unknown.add("services." + name + ".build." + k));
            }
            dependsOn(name).forEach((target, spec) -> spec.keySet().stream().filter(k -> !DEPENDS_ON_KEYS.contains(k))
                    .forEach(k -> unknown.add("services." + name + ".depends_on." + target + "." + k)));
        });
        return unknown;
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services() {
        Object services = root.get("services");
        if (!(services instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("no services");
        }
        return (Map<String, Map<String, Object>>) services;
    }

    Map<String, Object> service(String name) {
        Map<String, Object> service = services().get(name);
        if (service == null) {
            throw new AssertionError("no service " + name);
        }
        return service;
    }

    /** The services built from docker/Dockerfile: the gateway nodes. */
    List<String> gateways() {
        List<String> gateways = new ArrayList<>();
        services().forEach((name, service) -> {
            if (service.get("build") instanceof Map<?, ?> build && "docker/Dockerfile".equals(build.get("dockerfile"))) {
                gateways.add(name);
            }
        });
        return gateways;
    }

    /** A service's environment as a map (Compose allows a map or a list of NAME=value). */
    Map<String, String> environment(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service(name).get("environment");
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (!(v instanceof String)) {
                    throw new IllegalArgumentException(name + ": " + k + " should be a quoted string, is " + v);
                }
                env.put(String.valueOf(k), (String) v);
            });
        }
        else if (raw instanceof List<?> list) {
            for (Object entry : list) {
                String[] kv = String.valueOf(entry).split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }

    /** depends_on in its long form: target → attributes (the short list form has none). */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> dependsOn(String name) {
        Object raw = service(name).get("depends_on");
        Map<String, Map<String, Object>> deps = new LinkedHashMap<>();
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> deps.put(String.valueOf(k), v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of()));
        }
        else if (raw instanceof List<?> list) {
            list.forEach(k -> deps.put(String.valueOf(k), Map.of()));
        }
        return deps;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> healthcheck(String name) {
        return (Map<String, Object>) service(name).get("healthcheck");
    }

    /** A Compose duration ("1m30s", "60s", "500ms"). */
    static Duration duration(String value) {
        Matcher m = Pattern.compile("(\\d+)(h|ms|m|s|us)").matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            end = m.end();
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                case "ms" -> Duration.ofMillis(n);
                default -> Duration.ofNanos(n * 1000);
            });
        }
        if (end != value.length() || end == 0) {
            throw new IllegalArgumentException("not a Compose duration: " + value);
        }
        return total;
    }
}
