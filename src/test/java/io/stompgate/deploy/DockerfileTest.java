package io.stompgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.deploy.DockerfileModel.Instruction;
import io.stompgate.deploy.DockerfileModel.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile, read statically (no Docker engine here): multi-stage, dependencies cached
 * before sources, Spring Boot's layers copied least-changing first, a non-root user, container
 * memory flags, the app's port, a health check the image really contains, a build context that
 * holds what the COPYs need.
 */
class DockerfileTest {

    /** Spring Boot's default layers (BOOT-INF/layers.idx of the fat jar), least-changing first. */
    static final List<String> BOOT_LAYERS = List.of("dependencies", "spring-boot-loader", "snapshot-dependencies",
            "application");

    static DockerfileModel dockerfile() {
        return DockerfileModel.read(Manifests.docker().resolve("Dockerfile"));
    }

    /** The runtime stage's USER, ARG defaults substituted (uid part). */
    static String runtimeUser() {
        List<Instruction> users = dockerfile().runtime().all("USER");
        assertThat(users).as("USER in the runtime stage").isNotEmpty();
        return users.get(users.size() - 1).arguments().split(":")[0];
    }

    /**
     * No {@code # syntax=} parser directive: it would make every build pull a frontend image
     * from a registry first, and BuildKit's built-in frontend (Docker 20.10+) already has
     * {@code RUN --mount} and {@code COPY --chmod}.
     */
    @Test
    void namesNoDockerfileFrontendImage() throws IOException {
        List<String> lines = Files.readAllLines(Manifests.docker().resolve("Dockerfile"));
        Pattern directive = Pattern.compile("#\\s*syntax\\s*=.*", Pattern.CASE_INSENSITIVE);
        assertThat(lines).noneMatch(l -> directive.matcher(l.strip()).matches());
        assertThat(String.join("\n", lines)).contains("RUN --mount=type=cache").contains("COPY --chmod=");
    }

    @Test
    void buildsInStagesWithDependenciesResolvedBeforeTheSourcesAreCopied() {
        DockerfileModel file = dockerfile();
        assertThat(file.stages()).hasSizeGreaterThanOrEqualTo(2);
        Stage build = file.stages().get(0);
        assertThat(build.image()).startsWith("maven:");
        int pom = build.indexOf("COPY", "pom.xml");
        int resolve = build.indexOf("RUN", "dependency:go-offline");
        int sources = build.indexOf("COPY", "src/main");
        int packaging = build.indexOf("RUN", " package");
        assertThat(pom).as("COPY pom.xml").isNotNegative();
        assertThat(resolve).as("dependencies resolved after the pom alone").isGreaterThan(pom);
        assertThat(sources).as("sources copied after dependencies").isGreaterThan(resolve);
        assertThat(packaging).isGreaterThan(sources);
        assertThat(build.instructions().get(pom).arguments()).doesNotContain("src");
    }

    @Test
    void theRuntimeIsASlimJreWithTheLayersCopiedLeastChangingFirst() {
        DockerfileModel file = dockerfile();
        Stage runtime = file.runtime();
        assertThat(runtime.image()).contains("jre");
        assertThat(javaMajor(runtime.image())).as("runtime Java").isGreaterThanOrEqualTo(17);
        boolean extracts = file.stages().stream().flatMap(s -> s.all("RUN").stream()).map(Instruction::arguments)
                .anyMatch(r -> r.contains("-Djarmode=tools") && r.contains("extract") && r.contains("--layers")
                        && r.contains("--launcher"));
        assertThat(extracts).as("java -Djarmode=tools -jar ... extract --layers --launcher").isTrue();
        List<String> copied = new ArrayList<>();
        Pattern layer = Pattern.compile("--from=\\S+\\s+\\S*/extracted/([\\w-]+)/?\\s");
        for (Instruction copy : runtime.all("COPY")) {
            Matcher m = layer.matcher(copy.arguments() + " ");
            if (m.find()) {
                copied.add(m.group(1));
            }
        }
        assertThat(copied).as("one COPY per layer, application last").containsExactlyElementsOf(BOOT_LAYERS);
        String entrypoint = runtime.all("ENTRYPOINT").get(0).arguments();
        assertThat(entrypoint).startsWith("[").contains("\"org.springframework.boot.loader.launch.JarLauncher\"")
                .containsPattern("\"-XX:MaxRAMPercentage=\\d+(\\.\\d+)?\"");
    }

    @Test
    void runsAsANumericNonRootUser() {
        String user = runtimeUser();
        assertThat(user).matches("\\d+");
        assertThat(Long.parseLong(user)).isPositive();
        Stage runtime = dockerfile().runtime();
        assertThat(runtime.indexOf("USER", user)).as("USER after the files are in place")
                .isGreaterThan(runtime.indexOf("COPY", "application"));
    }

    @Test
    void exposesTheAppsPort() {
        List<Instruction> expose = dockerfile().runtime().all("EXPOSE");
        assertThat(expose).singleElement().satisfies(e ->
                assertThat(e.arguments()).isEqualTo(String.valueOf(AppSettings.serverPort(java.util.Map.of()))));
    }

    @Test
    void theHealthCheckIsInstalledFromTheRepository() throws IOException {
        Stage runtime = dockerfile().runtime();
        String health = runtime.all("HEALTHCHECK").get(0).arguments();
        assertThat(health).contains("stompgate-healthcheck").contains("/actuator/health/readiness");
        assertThat(runtime.all("COPY")).anySatisfy(c -> assertThat(c.arguments())
                .contains("docker/healthcheck.sh").contains("/usr/local/bin/stompgate-healthcheck"));
        Path script = Manifests.docker().resolve("healthcheck.sh");
        assertThat(script).isRegularFile();
        assertThat(Files.isExecutable(script)).isTrue();
        assertThat(Files.readString(script)).startsWith("#!/usr/bin/env bash");
    }

    @Test
    void theBuildContextHoldsEverythingTheCopiesNeed() throws IOException {
        List<String> ignore = Files.readAllLines(Manifests.basedir().resolve(".dockerignore"));
        List<String> sources = new ArrayList<>();
        for (Stage stage : dockerfile().stages()) {
            for (Instruction copy : stage.all("COPY")) {
                if (copy.arguments().contains("--from=")) {
                    continue;
                }
                List<String> words = new ArrayList<>(List.of(copy.arguments().split("\\s+")));
                words.removeIf(w -> w.startsWith("--"));
                sources.addAll(words.subList(0, words.size() - 1));
            }
        }
        assertThat(sources).contains("pom.xml", "docker/healthcheck.sh").anyMatch(s -> s.startsWith("src/main"));
        for (String source : sources) {
            assertThat(Manifests.basedir().resolve(source)).as(source).exists();
            // A folder is sent when the files in it are (Docker includes their parents).
            String probe = Files.isDirectory(Manifests.basedir().resolve(source))
                    ? source.replaceAll("/$", "") + "/x/Y.java" : source;
            assertThat(ignored(ignore, probe)).as(probe + " is excluded by .dockerignore").isFalse();
        }
        assertThat(ignored(ignore, "target/stompgate-0.1.0-SNAPSHOT.jar")).as("target/ stays out").isTrue();
        assertThat(ignored(ignore, ".git/config")).isTrue();
    }

    @Test
    void theIgnoreMatcherFollowsTheLastMatchingRule() {
        List<String> rules = List.of("**", "!pom.xml", "!src/main/**");
        assertThat(ignored(rules, "pom.xml")).isFalse();
        assertThat(ignored(rules, "src/main/java/A.java")).isFalse();
        assertThat(ignored(rules, "src/test/java/A.java")).isTrue();
        assertThat(ignored(rules, "docker/healthcheck.sh")).isTrue();
    }

    /** .dockerignore semantics (last matching rule wins; '!' re-includes; ** spans folders). */
    static boolean ignored(List<String> rules, String path) {
        boolean ignored = false;
        for (String raw : rules) {
            String rule = raw.strip();
            if (rule.isEmpty() || rule.startsWith("#")) {
                continue;
            }
            boolean negate = rule.startsWith("!");
            String pattern = (negate ? rule.substring(1) : rule).replaceAll("^/", "");
            if (glob(pattern).matcher(path).matches() || glob(pattern + "/**").matcher(path).matches()) {
                ignored = !negate;
            }
        }
        return ignored;
    }

    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                    i++;
                    regex.append("/?");
                }
            }
            else if (c == '*') {
                regex.append("[^/]*");
            }
            else if (c == '?') {
                regex.append("[^/]");
            }
            else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static int javaMajor(String image) {
        Matcher m = Pattern.compile(":(\\d+)").matcher(image);
        assertThat(m.find()).as("a Java version in " + image).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
