package io.stompgate.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Where the tests' RabbitMQ is: the one place that decides it, once per test JVM, so that every
 * test needing a broker (AMQP, the management API, the gateways the tests start, the in-test TCP
 * proxy, a gateway in a JVM of its own) talks to the same one. In this order:
 * <ol>
 * <li>{@code STOMPGATE_TEST_RABBITMQ}, an AMQP URI ({@code amqp://user:pass@host:port/vhost}); its
 *     management API on port 15672 of the same host unless {@code STOMPGATE_TEST_RABBITMQ_HTTP}
 *     gives its base URL ({@code http://host:port});</li>
 * <li>a broker answering on 127.0.0.1:5672 whose management API answers on 127.0.0.1:15672 as
 *     guest/guest (skipped when {@code STOMPGATE_TEST_RABBITMQ_SKIP_LOCAL=true}, so that the next
 *     way can be tried on a machine that has one);</li>
 * <li>a RabbitMQ container started by Testcontainers when a Docker engine answers: image
 *     {@code rabbitmq:4-management} unless {@code STOMPGATE_TEST_RABBITMQ_IMAGE} names another,
 *     started once for the whole run and stopped when the JVM exits;</li>
 * <li>otherwise every test that needs it fails at once, with one message listing the three ways.</li>
 * </ol>
 * Tests never use a mock broker. {@link NeedsRabbitMQ} runs {@link Check} before a test, so that
 * a missing broker fails there rather than inside whatever the test starts first.
 */
public final class TestRabbit {

    public static final String URI_ENV = "STOMPGATE_TEST_RABBITMQ";
    public static final String HTTP_ENV = "STOMPGATE_TEST_RABBITMQ_HTTP";
    public static final String IMAGE_ENV = "STOMPGATE_TEST_RABBITMQ_IMAGE";
    public static final String SKIP_LOCAL_ENV = "STOMPGATE_TEST_RABBITMQ_SKIP_LOCAL";
    static final String DEFAULT_IMAGE = "rabbitmq:4-management";
    private static final String LOCAL_HOST = "127.0.0.1";
    private static final int LOCAL_AMQP_PORT = 5672;
    private static final int LOCAL_MANAGEMENT_PORT = 15672;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private static TestRabbit located;
    private static IllegalStateException missing;

    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final String virtualHost;
    private final URI managementApi;
    private final String foundBy;
    /** How to run rabbitmqctl on it: the local one, in the container, or none (someone else's broker). */
    private final Control control;

    private TestRabbit(String host, int port, String username, String password, String virtualHost, URI managementApi,
            String foundBy, Control control) {
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.virtualHost = virtualHost;
        this.managementApi = managementApi;
        this.foundBy = foundBy;
        this.control = control;
    }

    /** The tests' RabbitMQ, located on the first call; throws, at once and every time, when there is none. */
    public static synchronized TestRabbit get() {
        if (located == null && missing == null) {
            try {
                located = locate();
                System.out.println("Tests' RabbitMQ: " + located);
            }
            catch (IllegalStateException e) {
                missing = e;
            }
        }
        if (missing != null) {
            throw new IllegalStateException(missing.getMessage(), missing.getCause());
        }
        return located;
    }

    public String host() {
        return host;
    }

    /** The AMQP port. */
    public int port() {
        return port;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public String virtualHost() {
        return virtualHost;
    }

    /** The management API's base, ending in {@code /api}. */
    public URI managementApi() {
        return managementApi;
    }

    /** The virtual host as a management API path segment ({@code %2F} for {@code /}). */
    public String virtualHostInPath() {
        return encode(virtualHost);
    }

    /** {@code amqp://user:pass@host:port/vhost}, e.g. for {@code spring.rabbitmq.addresses}. */
    public String amqpUri() {
        return "amqp://" + encode(username) + ":" + encode(password) + "@" + host + ":" + port + "/" + encode(virtualHost);
    }

    /**
     * Spring properties ({@code name=value}, without {@code --}) that point a gateway at this
     * broker: host, port, user, password and virtual host.
     */
    public List<String> gatewayProperties() {
        return gatewayProperties(host, port);
    }

    /** As {@link #gatewayProperties()}, but reaching the broker at {@code host:port} (an in-test proxy in front of it). */
    public List<String> gatewayProperties(String host, int port) {
        return List.of("spring.rabbitmq.host=" + host, "spring.rabbitmq.port=" + port, "spring.rabbitmq.username=" + username,
                "spring.rabbitmq.password=" + password, "spring.rabbitmq.virtual-host=" + virtualHost);
    }

    /**
     * The same as environment variables ({@code SPRING_RABBITMQ_HOST}, ...), for a gateway in a
     * process of its own: unlike arguments, they do not show the password in the process list.
     */
    public Map<String, String> gatewayEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_RABBITMQ_HOST", host);
        env.put("SPRING_RABBITMQ_PORT", Integer.toString(port));
        env.put("SPRING_RABBITMQ_USERNAME", username);
        env.put("SPRING_RABBITMQ_PASSWORD", password);
        env.put("SPRING_RABBITMQ_VIRTUAL_HOST", virtualHost);
        return env;
    }

    /**
     * Runs {@code rabbitmqctl command} against this broker, for the tests that stop and start it:
     * the machine's own {@code rabbitmqctl} for the broker on 127.0.0.1, the container's for a
     * Testcontainers one. A broker named by {@code STOMPGATE_TEST_RABBITMQ} is not the tests' to
     * restart: the calling test is aborted (reported as skipped), saying so.
     */
    public void rabbitmqctl(String command) throws Exception {
        Assumptions.assumeTrue(control != null, () -> "rabbitmqctl " + command + ": the broker named by " + URI_ENV
                + " is not the tests' to stop and start");
        String failure = control.run(command);
        if (failure != null) {
            throw new IllegalStateException("rabbitmqctl " + command + " on " + this + ": " + failure);
        }
    }

    /** Runs one rabbitmqctl command; null when it succeeded, else what went wrong. */
    @FunctionalInterface
    private interface Control {
        String run(String command) throws Exception;
    }

    private static String localRabbitmqctl(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("rabbitmqctl", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "did not finish within 90 s";
        }
        return p.exitValue() == 0 ? null : "exited " + p.exitValue();
    }

    /** Where it is and how it was found; never the password. */
    @Override
    public String toString() {
        return "amqp://" + username + "@" + host + ":" + port + "/" + encode(virtualHost) + ", management " + managementApi
                + " (" + foundBy + ")";
    }

    // ------------------------------------------------------------------ locating

    private static TestRabbit locate() {
        String uri = System.getenv(URI_ENV);
        if (uri != null && !uri.isBlank()) {
            return fromEnvironment(uri.trim());
        }
        List<String> notFound = new ArrayList<>();
        notFound.add(URI_ENV + " is not set");
        if (Boolean.parseBoolean(System.getenv(SKIP_LOCAL_ENV))) {
            notFound.add("the broker on " + LOCAL_HOST + ":" + LOCAL_AMQP_PORT + " was not tried (" + SKIP_LOCAL_ENV + "=true)");
        }
        else {
            TestRabbit local = local(notFound);
            if (local != null) {
                return local;
            }
        }
        TestRabbit container = container(notFound);
        if (container != null) {
            return container;
        }
        throw new IllegalStateException(String.join("\n", List.of(
                "The tests that need RabbitMQ (tagged " + NeedsRabbitMQ.TAG + ") found none. They take the first of:",
                "  1. " + URI_ENV + "=amqp://user:pass@host:5672/vhost (management API on port " + LOCAL_MANAGEMENT_PORT
                        + " of that host, or at " + HTTP_ENV + "=http://host:port): " + notFound.get(0),
                "  2. a RabbitMQ on " + LOCAL_HOST + ":" + LOCAL_AMQP_PORT + " with the management plugin on "
                        + LOCAL_MANAGEMENT_PORT + ", user guest/guest (rabbitmq-server -detached; rabbitmq-plugins enable "
                        + "rabbitmq_management): " + notFound.get(1),
                "  3. a Docker engine, where Testcontainers starts " + DEFAULT_IMAGE + " (or " + IMAGE_ENV + "): "
                        + notFound.get(2),
                "Or leave them out: mvn test -DexcludedGroups=" + NeedsRabbitMQ.TAG)));
    }

    private static TestRabbit fromEnvironment(String uri) {
        ConnectionFactory parsed = new ConnectionFactory();
        try {
            parsed.setUri(uri);
        }
        catch (Exception e) {
            // Not the exception's message: it would show the URI, password and all.
            throw new IllegalStateException(URI_ENV + " is not an AMQP URI (amqp://user:pass@host:port/vhost): "
                    + e.getClass().getSimpleName());
        }
        if (parsed.isSSL()) {
            throw new IllegalStateException(URI_ENV + ": the tests do not speak TLS to their broker; give an amqp:// URI");
        }
        String http = System.getenv(HTTP_ENV);
        URI management = managementBase(http != null && !http.isBlank() ? http.trim()
                : "http://" + parsed.getHost() + ":" + LOCAL_MANAGEMENT_PORT);
        TestRabbit rabbit = new TestRabbit(parsed.getHost(), parsed.getPort(), parsed.getUsername(), parsed.getPassword(),
                parsed.getVirtualHost(), management, URI_ENV, null);
        if (!answers(rabbit.host, rabbit.port)) {
            throw new IllegalStateException(URI_ENV + " names " + rabbit + ", but nothing answers on " + rabbit.host + ":"
                    + rabbit.port);
        }
        return rabbit;
    }

    private static TestRabbit local(List<String> notFound) {
        if (!answers(LOCAL_HOST, LOCAL_AMQP_PORT)) {
            notFound.add("nothing answers on " + LOCAL_HOST + ":" + LOCAL_AMQP_PORT);
            return null;
        }
        URI management = managementBase("http://" + LOCAL_HOST + ":" + LOCAL_MANAGEMENT_PORT);
        String problem = managementProblem(management, "guest", "guest");
        if (problem != null) {
            notFound.add("a broker answers on " + LOCAL_HOST + ":" + LOCAL_AMQP_PORT + ", but " + problem);
            return null;
        }
        return new TestRabbit(LOCAL_HOST, LOCAL_AMQP_PORT, "guest", "guest", "/", management,
                "the broker answering on " + LOCAL_HOST + ":" + LOCAL_AMQP_PORT, TestRabbit::localRabbitmqctl);
    }

    private static TestRabbit container(List<String> notFound) {
        String image = System.getenv(IMAGE_ENV);
        image = image == null || image.isBlank() ? DEFAULT_IMAGE : image.trim();
        try {
            DockerClientFactory.instance().client();
        }
        catch (RuntimeException e) {
            notFound.add(dockerProblem(e));
            return null;
        }
        RabbitMQContainer container = new RabbitMQContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("rabbitmq"));
        try {
            container.start();
        }
        catch (RuntimeException e) {
            container.stop();
            throw new IllegalStateException("A Docker engine answers, but Testcontainers could not start RabbitMQ from image "
                    + image + " (" + IMAGE_ENV + " names another): " + e, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-rabbitmq"));
        return new TestRabbit(container.getHost(), container.getAmqpPort(), container.getAdminUsername(),
                container.getAdminPassword(), "/", managementBase(container.getHttpUrl()),
                "Testcontainers, image " + image + ", started for this run", command -> {
                    Container.ExecResult result = container.execInContainer("rabbitmqctl", command);
                    return result.getExitCode() == 0 ? null : "exited " + result.getExitCode() + ": " + result.getStderr();
                });
    }

    /** Why Testcontainers has no Docker client: none answers, or one does but Testcontainers' own start failed. */
    private static String dockerProblem(RuntimeException e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("").trim();
        if (message.startsWith("Could not find a valid Docker environment")) {
            return "no Docker engine answers";
        }
        return "Testcontainers cannot use the Docker engine: " + e.getClass().getSimpleName() + ": " + message
                + " (where no image registry is reachable, TESTCONTAINERS_RYUK_DISABLED=true spares it pulling its"
                + " reaper image)";
    }

    /** {@code http://host:port} or {@code http://host:port/api} as the API's base, ending in {@code /api}. */
    private static URI managementBase(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return URI.create(base.endsWith("/api") ? base : base + "/api");
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    /** Null when {@code GET /api/overview} answers 200 for the user; else what went wrong. */
    private static String managementProblem(URI api, String user, String pass) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/overview"))
                    .header("Authorization", basic(user, pass)).timeout(PROBE_TIMEOUT).build();
            int status = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build()
                    .send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? null : "its management API " + api + " answers " + status + " to " + user;
        }
        catch (IOException e) {
            return "its management API does not answer at " + api + " (" + e + ")";
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking " + api;
        }
    }

    static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Locates the broker before a test (or its class) starts anything, so a missing one fails with the message above. */
    public static final class Check implements BeforeAllCallback, BeforeEachCallback {

        @Override
        public void beforeAll(ExtensionContext context) {
            TestRabbit.get();
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            TestRabbit.get();
        }
    }
}
