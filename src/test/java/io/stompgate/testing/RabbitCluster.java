package io.stompgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real three-node RabbitMQ cluster on this machine, for tests of what happens
 * to the gateway when one RabbitMQ node goes: started and stopped by
 * {@code src/test/scripts/rabbitmq-cluster.sh} beside the machine's own broker
 * (127.0.0.1:5672, which it never touches), every call bounded in time. Nodes are
 * numbered 1 to 3 and listen for AMQP on 127.0.0.1:5681 to 5683. Tells which node
 * holds a given gateway node's connection and a given queue, so a test can stop
 * the node that matters.
 */
public final class RabbitCluster implements AutoCloseable {

    /** The tag of tests that run this cluster: {@code -DexcludedGroups=rabbitmq-cluster} leaves them out. */
    public static final String TAG = "rabbitmq-cluster";
    public static final String HOST = "127.0.0.1";
    /** RabbitMQ's default user, which a fresh node has and lets in from loopback. */
    public static final String USERNAME = "guest";
    public static final String PASSWORD = "guest";
    private static final int[] AMQP_PORTS = {5681, 5682, 5683};
    private static final Path SCRIPT = Path.of("src/test/scripts/rabbitmq-cluster.sh");
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration NODE_START = Duration.ofSeconds(90);
    private static final Duration STOP = Duration.ofSeconds(60);
    private static final Duration QUERY = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RabbitCluster() {
    }

    /** Starts a fresh cluster (leftovers of an earlier run stopped, data wiped), or fails saying why. */
    public static RabbitCluster start() {
        if (!Files.isRegularFile(SCRIPT)) {
            throw new IllegalStateException("no " + SCRIPT.toAbsolutePath() + ": run the tests from the project directory");
        }
        RabbitCluster cluster = new RabbitCluster();
        try {
            cluster.script(START, "start");
        }
        catch (RuntimeException e) {
            try {
                cluster.script(STOP, "stop");
            }
            catch (RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw e;
        }
        return cluster;
    }

    /**
     * {@code spring.rabbitmq.addresses} naming all three nodes, {@code first} first and the
     * others after it in turn (2: {@code 5682,5683,5681}). The gateway's AMQP client tries
     * addresses in the order given, so this says where a gateway node connects while all are up.
     */
    public String addresses(int first) {
        check(first);
        return IntStream.range(0, 3).map(i -> (first - 1 + i) % 3 + 1)
                .mapToObj(n -> HOST + ":" + amqpPort(n)).collect(Collectors.joining(","));
    }

    public int amqpPort(int node) {
        check(node);
        return AMQP_PORTS[node - 1];
    }

    /** The Erlang node name of {@code node}, as RabbitMQ reports it (queue leaders, cluster status). */
    public String nodeName(int node) {
        check(node);
        return "stompgate-" + (char) ('a' + node - 1) + "@localhost";
    }

    /** Stops {@code node} as {@code rabbitmqctl stop} would: it closes its client connections and leaves the cluster's running set. */
    public void stopNode(int node) {
        check(node);
        script(STOP, "stop-node", Integer.toString(node));
    }

    /** Kills {@code node} (SIGKILL): a crash; clients and peers learn of it from a reset or their heart-beats. */
    public void killNode(int node) {
        check(node);
        script(STOP, "kill-node", Integer.toString(node));
    }

    /** Starts {@code node} again on its data; it rejoins the cluster. Nothing when it is already up. */
    public void startNode(int node) {
        check(node);
        script(NODE_START, "start-node", Integer.toString(node));
    }

    /** Whether {@code node} accepts AMQP connections. */
    public boolean isUp(int node) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, amqpPort(node)), 500);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    /** Starts every node that is down, so each test begins with the whole cluster. */
    public void startAllNodes() {
        for (int n = 1; n <= 3; n++) {
            if (!isUp(n)) {
                startNode(n);
            }
        }
    }

    /**
     * For each AMQP connection with a client-provided name (the gateway names its connection
     * {@code "stompgate <node-id>"}), the node that holds it: asks a running node for the
     * cluster's connections and maps each one's server port to its node.
     */
    public Map<String, Integer> connectionNodes() {
        JsonNode connections = json(ctlOnRunningNode(List.of("list_connections", "port", "client_properties",
                "--formatter", "json")));
        Map<String, Integer> nodes = new HashMap<>();
        for (JsonNode c : connections) {
            for (JsonNode property : c.path("client_properties")) {
                if ("connection_name".equals(property.path(0).asText())) {
                    nodes.put(property.path(2).asText(), nodeOfPort(c.path("port").asInt()));
                }
            }
        }
        return nodes;
    }

    /**
     * For each queue a running node knows, the node that holds it: the leader of a quorum
     * queue, the home node of a classic one (the node part of the queue's process id).
     */
    public Map<String, Integer> queueNodes() {
        String table = ctlOnRunningNode(List.of("-s", "list_queues", "name", "pid"));
        Map<String, Integer> nodes = new HashMap<>();
        for (String line : table.split("\n")) {
            String[] columns = line.split("\t");
            if (columns.length < 2) {
                continue;
            }
            for (int n = 1; n <= 3; n++) {
                if (columns[1].startsWith("<" + nodeName(n) + ".")) {
                    nodes.put(columns[0], n);
                }
            }
        }
        return nodes;
    }

    /** The names of the nodes running, as node {@code asSeenBy} reports them. */
    public List<String> runningNodes(int asSeenBy) {
        JsonNode status = json(script(QUERY, "ctl", Integer.toString(asSeenBy), "-q", "cluster_status", "--formatter", "json"));
        List<String> running = new ArrayList<>();
        status.path("running_nodes").forEach(n -> running.add(n.asText()));
        return running;
    }

    private int nodeOfPort(int port) {
        for (int n = 1; n <= 3; n++) {
            if (amqpPort(n) == port) {
                return n;
            }
        }
        throw new IllegalStateException("a connection on port " + port + ", which is none of the cluster's AMQP ports");
    }

    /** rabbitmqctl {@code arguments} ({@code -q} added) on the first node that is up; its output. */
    private String ctlOnRunningNode(List<String> arguments) {
        for (int n = 1; n <= 3; n++) {
            if (isUp(n)) {
                List<String> args = new ArrayList<>(List.of("ctl", Integer.toString(n), "-q"));
                args.addAll(arguments);
                return script(QUERY, args.toArray(String[]::new));
            }
        }
        throw new IllegalStateException("no node of the RabbitMQ cluster is up");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        }
        catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl answered something that is not JSON: " + text, e);
        }
    }

    /** Runs the script with {@code args}; its standard output, or an exception with all it wrote. */
    private String script(Duration limit, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        File out = null;
        File err = null;
        try {
            out = File.createTempFile("rabbitmq-cluster", ".out");
            err = File.createTempFile("rabbitmq-cluster", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + limit
                        + "; it wrote: " + read(out) + read(err));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + read(out) + read(err));
            }
            return read(out);
        }
        catch (IOException e) {
            throw new IllegalStateException("could not run " + String.join(" ", command) + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
        finally {
            if (out != null) {
                out.delete();
            }
            if (err != null) {
                err.delete();
            }
        }
    }

    private static String read(File f) throws IOException {
        return Files.readString(f.toPath(), StandardCharsets.UTF_8);
    }

    private static void check(int node) {
        if (node < 1 || node > 3) {
            throw new IllegalArgumentException("RabbitMQ cluster nodes are numbered 1 to 3, not " + node);
        }
    }

    /** Stops every node of the cluster (bounded; leftovers killed). */
    @Override
    public void close() {
        script(STOP, "stop");
    }
}
