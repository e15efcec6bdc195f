package io.stompgate.bench.loadtool;

import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Command-line options; every run is bounded (counts, rates and times have hard caps). */
final class Options {

    static final int MAX_CONNECTIONS = 300_000;
    static final double MAX_SECONDS = 3600;
    static final double MAX_RATE = 2_000_000;

    String scenario;
    List<String> positional = new ArrayList<>();
    List<URI> urls = new ArrayList<>();
    String label = "";
    boolean raw;
    Set<String> identity = new LinkedHashSet<>(List.of("query"));
    String userHeader = "X-User";
    String userPrefix = "u";
    String login;
    String passcode;
    String vhost = "/";
    String subprotocol = "v12.stomp";
    String topic = "/topic/bench.fanout";
    String userSend = "/user/{user}/queue/bench";
    String userSubscribe = "/user/queue/bench";
    int subscribers = -1;
    int window = 200;
    int messages = 100_000;
    String offset = "first";
    String pace = "receipt";
    double maxRate = 0;
    int bodyBytes = 100;
    double warmup = -1;
    double duration = -1;
    double rate = 1000;
    int connections = 1000;
    int users = 100;
    int batch = 500;
    long batchPauseMs = 0;
    int sourceAddresses = 0; // 0: auto
    int warmConnections = 0;
    double connectTimeout = 30;
    double setupTimeout = -1;
    double drain = 2;
    double maxTime = -1;
    int publisherUrl = 0;
    int subscriberUrl = -1;
    List<Long> serverPids = new ArrayList<>();
    int threads = Runtime.getRuntime().availableProcessors();
    int fork = 1;
    int shard = 0;
    int shards = 1;
    boolean child;
    boolean serverGc;
    String jsonOut;
    String ours = "stompgate";
    String forkJvmOpts = "-Xmx512m -XX:+UseParallelGC";
    Set<String> reconnectOn = new LinkedHashSet<>();
    int maxReconnects = -1;
    String livePath;
    String untilFile;
    String balance = "round-robin";
    String amqpUri = AmqpTarget.DEFAULT_URI;
    int amqpPrefetch = 1000;
    int amqpAckLingerMs = 200;
    int rooms = 10_000;
    int roomSize = 10;
    int roomsPerConnection = 50;
    String roomPrefix = "/topic/bench.room.";
    int subscribeWindow = 1000;
    /** CONNECT heart-beat: what the client can send (cx) and wants to receive (cy), ms; 0,0 = none. */
    long heartBeatCx;
    long heartBeatCy;
    int broadcasts;
    /** connections: user names repeat every this many connections (0: one user per connection). */
    int distinctUsers;

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                if (o.scenario == null) {
                    o.scenario = a;
                } else {
                    o.positional.add(a);
                }
                continue;
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                value = null;
            }
            switch (key) {
                case "help" -> o.scenario = "help";
                case "raw" -> o.raw = true;
                case "child" -> o.child = true;
                case "server-gc" -> o.serverGc = true;
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--" + key + " needs a value");
                        }
                        value = args[++i];
                    }
                    o.set(key, value);
                }
            }
        }
        if (o.scenario == null) {
            o.scenario = "help";
        }
        return o;
    }

    private void set(String key, String v) {
        switch (key) {
            case "url" -> {
                for (String u : v.split(",")) {
                    if (!u.isBlank()) {
                        urls.add(URI.create(u.trim()));
                    }
                }
            }
            case "label" -> label = v;
            case "identity" -> {
                identity.clear();
                for (String s : v.split(",")) {
                    String t = s.trim().toLowerCase(Locale.ROOT);
                    if (!Set.of("query", "header", "login", "none").contains(t)) {
                        throw new IllegalArgumentException("--identity takes query,header,login or none");
                    }
                    if (!t.equals("none")) {
                        identity.add(t);
                    }
                }
            }
            case "user-header" -> userHeader = v;
            case "user-prefix" -> userPrefix = v;
            case "login" -> login = v;
            case "passcode" -> passcode = v;
            case "vhost" -> vhost = v;
            case "subprotocol" -> subprotocol = v;
            case "topic", "destination" -> topic = v;
            case "user-send" -> userSend = v;
            case "user-subscribe" -> userSubscribe = v;
            case "subscribers" -> subscribers = intIn(key, v, 0, MAX_CONNECTIONS);
            case "window" -> window = intIn(key, v, 1, 100_000);
            case "messages" -> messages = intIn(key, v, 1, 10_000_000);
            case "offset" -> offset = v;
            case "pace" -> {
                if (!v.equals("receipt") && !v.equals("echo")) {
                    throw new IllegalArgumentException("--pace takes receipt or echo");
                }
                pace = v;
            }
            case "max-rate" -> maxRate = doubleIn(key, v, 1, MAX_RATE);
            case "body-bytes" -> bodyBytes = intIn(key, v, 1, 1 << 20);
            case "warmup" -> warmup = seconds(key, v);
            case "duration", "hold" -> duration = seconds(key, v);
            case "rate" -> rate = doubleIn(key, v, 1, MAX_RATE);
            case "connections" -> connections = intIn(key, v, 1, MAX_CONNECTIONS);
            case "users" -> users = intIn(key, v, 2, MAX_CONNECTIONS);
            case "batch" -> batch = intIn(key, v, 1, 100_000);
            case "batch-pause-ms" -> batchPauseMs = intIn(key, v, 0, 60_000);
            case "source-addresses" -> sourceAddresses = intIn(key, v, 1, 254);
            case "warm-connections" -> warmConnections = intIn(key, v, 0, 20_000);
            case "connect-timeout" -> connectTimeout = seconds(key, v);
            case "setup-timeout" -> setupTimeout = seconds(key, v);
            case "drain" -> drain = seconds(key, v);
            case "max-time" -> maxTime = seconds(key, v);
            case "publisher-url" -> publisherUrl = intIn(key, v, 0, 100);
            case "subscriber-url" -> subscriberUrl = intIn(key, v, 0, 100);
            case "server-pid" -> {
                for (String p : v.split(",")) {
                    if (!p.isBlank()) {
                        serverPids.add(Long.parseLong(p.trim()));
                    }
                }
            }
            case "threads" -> threads = intIn(key, v, 1, 256);
            case "fork" -> fork = intIn(key, v, 1, 64);
            case "shard" -> {
                String[] p = v.split("/");
                shard = Integer.parseInt(p[0]);
                shards = Integer.parseInt(p[1]);
                if (shards < 1 || shard < 0 || shard >= shards) {
                    throw new IllegalArgumentException("--shard i/k with 0 <= i < k");
                }
            }
            case "json-out" -> jsonOut = v;
            case "ours" -> ours = v;
            case "fork-jvm-opts" -> forkJvmOpts = v;
            case "reconnect-on" -> {
                for (String m : v.split(",")) {
                    if (!m.isBlank()) {
                        reconnectOn.add(m.trim());
                    }
                }
            }
            case "until-file" -> untilFile = v;
            case "balance" -> {
                if (!v.equals("round-robin") && !v.equals("least-connections")) {
                    throw new IllegalArgumentException("--balance takes round-robin or least-connections");
                }
                balance = v;
            }
            case "amqp-uri" -> amqpUri = v;
            case "amqp-prefetch" -> amqpPrefetch = intIn(key, v, 1, 65_535);
            case "amqp-ack-linger-ms" -> amqpAckLingerMs = intIn(key, v, 1, 60_000);
            case "heart-beat" -> {
                long[] hb = heartBeat(v);
                heartBeatCx = hb[0];
                heartBeatCy = hb[1];
            }
            case "broadcasts" -> broadcasts = intIn(key, v, 0, 1000);
            case "distinct-users" -> distinctUsers = intIn(key, v, 1, MAX_CONNECTIONS);
            case "max-reconnects" -> maxReconnects = intIn(key, v, 0, MAX_CONNECTIONS * 10);
            case "live-path" -> {
                if (!v.startsWith("/")) {
                    throw new IllegalArgumentException("--live-path must be a path such as /actuator/health/readiness");
                }
                livePath = v;
            }
            case "rooms" -> rooms = intIn(key, v, 1, 1_000_000);
            case "room-size" -> roomSize = intIn(key, v, 1, 100_000);
            case "rooms-per-connection" -> roomsPerConnection = intIn(key, v, 1, 10_000);
            case "room-prefix" -> roomPrefix = v;
            case "subscribe-window" -> subscribeWindow = intIn(key, v, 1, 1_000_000);
            default -> throw new IllegalArgumentException("unknown option --" + key + " (see --help)");
        }
    }

    /** Fills scenario-dependent defaults and checks that every target is a loopback address. */
    Options resolve() {
        if (urls.isEmpty()) {
            urls.add(URI.create("ws://127.0.0.1:8080/ws"));
        }
        for (URI u : urls) {
            requireLoopback(u);
        }
        boolean amqp = scenario.equals("amqp-latency");
        if (subscribers < 0) {
            subscribers = scenario.equals("latency") || amqp ? 1 : 1000;
        }
        if (amqp) {
            AmqpTarget.parse(amqpUri); // loopback only, like every target
            if (subscribers != 1) {
                throw new IllegalArgumentException("amqp-latency has one consumer (--subscribers 1)");
            }
            if (fork > 1 || shards > 1) {
                throw new IllegalArgumentException("amqp-latency runs in one process (no --fork/--shard)");
            }
        }
        if (warmup < 0) {
            warmup = scenario.equals("connections") || scenario.equals("replay") ? 0 : 5;
        }
        if (duration < 0) {
            duration = scenario.equals("connections") ? 30 : scenario.equals("replay") ? 120 : 20;
        }
        if (scenario.equals("replay") && (fork > 1 || shards > 1)) {
            throw new IllegalArgumentException("replay runs in one process (no --fork/--shard)");
        }
        if (subscriberUrl < 0) {
            subscriberUrl = urls.size() > 1 ? 1 : 0;
        }
        if (publisherUrl >= urls.size() || subscriberUrl >= urls.size()) {
            throw new IllegalArgumentException("--publisher-url/--subscriber-url index beyond --url list");
        }
        int total = switch (scenario) {
            case "fanout", "latency" -> subscribers + 1;
            case "connections" -> connections;
            case "user" -> users;
            case "replay", "amqp-latency" -> 2;
            case "rooms" -> roomPlan().connections;
            default -> 1;
        };
        int processes = child ? shards : Math.max(fork, shards);
        long perProcess = (total + processes - 1) / processes;
        long files = openFilesLimit();
        if (perProcess > files - 300) {
            throw new IllegalArgumentException(total + " connections need " + perProcess + " sockets per process but this "
                    + "process may open " + files + " files: split with --fork k (or --shard i/k)");
        }
        if (maxReconnects < 0) {
            maxReconnects = 10 * total;
        }
        if ((!reconnectOn.isEmpty() || livePath != null) && !scenario.equals("connections")) {
            throw new IllegalArgumentException("--reconnect-on and --live-path are for the connections scenario");
        }
        if (!reconnectOn.isEmpty() && Math.max(fork, shards) > 1) {
            throw new IllegalArgumentException("--reconnect-on runs in one process (no --fork/--shard): "
                    + "its times are on one clock");
        }
        if (broadcasts > 0 && (!scenario.equals("connections") || raw)) {
            throw new IllegalArgumentException("--broadcasts is for the connections scenario (STOMP)");
        }
        if (distinctUsers > 0 && !scenario.equals("connections")) {
            throw new IllegalArgumentException("--distinct-users is for the connections scenario");
        }
        if (sourceAddresses == 0) {
            sourceAddresses = Math.max(1, Math.min(254, (total + 19_999) / 20_000));
        }
        if (setupTimeout < 0) {
            setupTimeout = 60 + total / 100.0 + (scenario.equals("replay") ? messages / 1000.0 : 0)
                    + (scenario.equals("rooms") ? roomPlan().slots() / 500.0 : 0);
        }
        if (maxTime < 0) {
            maxTime = setupTimeout + warmup + duration + drain + 90;
        }
        return this;
    }

    /** The rooms scenario's membership plan over the --url nodes. */
    RoomPlan roomPlan() {
        return new RoomPlan(rooms, roomSize, roomsPerConnection, Math.max(1, urls.size()));
    }

    /** {@code cx,cy} in milliseconds, both within [0, 3,600,000]. */
    static long[] heartBeat(String v) {
        String[] p = v.split(",");
        if (p.length != 2) {
            throw new IllegalArgumentException("--heart-beat takes cx,cy in ms (e.g. 10000,10000; 0,0 for none)");
        }
        long[] r = new long[2];
        for (int i = 0; i < 2; i++) {
            try {
                r[i] = Long.parseLong(p[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--heart-beat takes cx,cy in ms (e.g. 10000,10000; 0,0 for none)");
            }
            if (r[i] < 0 || r[i] > 3_600_000) {
                throw new IllegalArgumentException("--heart-beat values must be within [0, 3600000] ms");
            }
        }
        return r;
    }

    /** The soft limit on open files (/proc/self/limits), or 20,000 if unreadable. */
    static long openFilesLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE / 2 : Long.parseLong(soft);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return 20_000;
    }

    static void requireLoopback(URI u) {
        String scheme = u.getScheme();
        if (!"ws".equals(scheme)) {
            throw new IllegalArgumentException("only ws:// URLs (got " + u + ")");
        }
        String host = u.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in " + u);
        }
        try {
            LoopbackResolver.loopback(host); // no DNS: loopback literals and localhost only
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("refusing target " + u + ": " + e.getMessage());
        }
    }

    /** A copy for a side run (e.g. warm-up connections): one shard, other user names. */
    Options sideRun(int connections, String prefix) {
        Options c = new Options();
        c.scenario = scenario;
        c.urls = urls;
        c.raw = raw;
        c.identity = identity;
        c.userHeader = userHeader;
        c.userPrefix = prefix;
        c.login = login;
        c.passcode = passcode;
        c.vhost = vhost;
        c.subprotocol = subprotocol;
        c.topic = topic;
        c.connections = connections;
        c.batch = batch;
        c.connectTimeout = connectTimeout;
        c.setupTimeout = setupTimeout;
        c.threads = threads;
        c.sourceAddresses = 1;
        return c;
    }

    String userName(int i) {
        return userPrefix + (distinctUsers > 0 ? i % distinctUsers : i);
    }

    private static int intIn(String key, String v, int min, int max) {
        int n = Integer.parseInt(v.replace("_", ""));
        if (n < min || n > max) {
            throw new IllegalArgumentException("--" + key + " must be within [" + min + ", " + max + "]");
        }
        return n;
    }

    private static double doubleIn(String key, String v, double min, double max) {
        double n = Double.parseDouble(v);
        if (n < min || n > max) {
            throw new IllegalArgumentException("--" + key + " must be within [" + min + ", " + max + "]");
        }
        return n;
    }

    /** Seconds: {@code 20}, {@code 20s}, {@code 1500ms}, {@code 2m}. */
    static double seconds(String key, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        double factor = 1;
        if (s.endsWith("ms")) {
            factor = 0.001;
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            s = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            factor = 60;
            s = s.substring(0, s.length() - 1);
        }
        double d;
        try {
            d = Double.parseDouble(s) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + ": '" + v + "' is not a duration (20, 20s, 1500ms, 2m)");
        }
        if (d < 0 || d > MAX_SECONDS) {
            throw new IllegalArgumentException("--" + key + " must be within [0, " + MAX_SECONDS + "] seconds");
        }
        return d;
    }

    static final String HELP = """
            stompgate load tool: STOMP 1.2 over WebSocket (Reactor Netty client), loopback targets only.

            usage: java -jar loadtool.jar <scenario> [options]
              scenarios: fanout | latency | amqp-latency | connections | user | replay | summarize <results.jsonl>...

              fanout       N subscribers spread round-robin over the --url list on one topic; one publisher
                           (on --publisher-url) sends as fast as the server confirms, at most --window
                           SENDs awaiting their RECEIPT. Reports published and delivered msg/s.
              latency      a publisher on --publisher-url (node A) sends at --rate msg/s; --subscribers
                           (default 1) on --subscriber-url (node B). p50/p90/p99/max from the scheduled
                           send time in the body (a stalled sender counts), and messages lost.
              amqp-latency RabbitMQ's own hop, no gateway: the latency scenario's schedule, bodies and figures
                           over a bare AMQP round trip (RabbitMQ Java client, two connections to --amqp-uri):
                           publishes with confirms to a topic exchange of its own (bench.amqp.<random>), one
                           consumer on an exclusive auto-delete queue, acks batched as the gateway acks its
                           node queue; also confirm_p50/p99_ms. Deletes what it declared at the end.
              connections  opens --connections subscribed connections in --batch batches, over
                           --source-addresses loopback sources 127.0.0.x; holds them --duration; reports
                           successes, failures, connect and subscribe times, and server KB per connection.
              user         --users users on alternating --url nodes; each subscribes --user-subscribe and
                           user i sends to user i+1 at a total of --rate msg/s; p50/p99 and loss.
              replay       history topics: a publisher sends --messages N (100000) to --topic and waits for
                           every RECEIPT; then a reader on --subscriber-url subscribes with x-stream-offset:
                           --offset (first) and reads until the N-th message (bound: --duration, 120s).
                           Reports replayed msg/s, time to RECEIPT and to the first message, order checked.
              rooms        many small topics: --rooms N (10000) rooms of --room-size M (10) members over the
                           --url nodes, each connection a member of --rooms-per-connection K (50) rooms
                           (N x M / K connections; a room's members alternate over the nodes). Opens every
                           connection, then sends every SUBSCRIBE (receipt each, at most --subscribe-window
                           in flight): subscribe_per_s, subscribe p50/p99 (SUBSCRIBE to RECEIPT) and server
                           CPU over that phase; then members send to their rooms at a total of --rate msg/s,
                           round robin (message k to room k mod N): delivered msg/s, lost, p50/p99.
              summarize    reads JSON result lines (files or -) and prints medians per label and the ratio
                           of --ours to each other label.

            targets and identity
              --url ws://127.0.0.1:8081/ws,ws://127.0.0.1:8082/ws   one or more nodes (ws:// loopback only)
              --identity query|header|login|none[,...]  default query: ?user=<name>; header: --user-header
                           (default X-User) at the handshake; login: CONNECT login=<name>
              --login L --passcode P   fixed CONNECT login/passcode (e.g. guest/guest for RabbitMQ Web-STOMP)
              --user-prefix u          user names are <prefix><index>
              --vhost /                CONNECT host header (RabbitMQ reads it as the virtual host)
              --subprotocol v12.stomp  WebSocket subprotocol offered ('' for none)
              --raw                    no STOMP at all (the bare-ws ceiling): text messages in and out; the
                           server greets with one message; the publisher's own echoes act as receipts
              --amqp-uri amqp://guest:guest@127.0.0.1:5672/%2F   amqp-latency's broker (loopback only)
              --amqp-prefetch 1000     amqp-latency consumer's prefetch; it acks every prefetch/2 deliveries,
              --amqp-ack-linger-ms 200 or this long after the first unacked one (the gateway's node queue)
            destinations (peers spell them differently)
              --topic /topic/bench.fanout          fanout, latency and connections destination
              --user-send /user/{user}/queue/bench  user scenario SEND destination ({user} = recipient)
              --user-subscribe /user/queue/bench   user scenario SUBSCRIBE destination
              --room-prefix /topic/bench.room.     rooms scenario: room i is <prefix>i
            load
              --subscribers N (fanout 1000, latency 1)  --window 200  --body-bytes 100  --rate 1000
              --subscribe-window 1000  rooms: SUBSCRIBEs awaiting their RECEIPT, at most, per process
              --pace receipt|echo      fanout: a SEND leaves the window at its RECEIPT (default: the server
                           accepted it) or when the publisher, itself subscribed, gets it back (delivered)
              --max-rate R             fanout: never publish faster than R msg/s (default: no cap)
              --connections N (1000)  --users N (100)  --batch 500  --batch-pause-ms 0
              --warmup 5s (connections 0)  --duration 20s (connections: hold time, 30s)  --drain 2s
              --connect-timeout 30s (per batch)  --setup-timeout (60s + N/100 s)  --max-time (hard stop)
              --publisher-url 0  --subscriber-url (1 if two URLs)   indexes into --url
              --source-addresses k     bind client sockets to 127.0.0.1..127.0.0.k (default: one per 20,000)
              --threads n              client event-loop threads (default: cores)
              --warm-connections n     connections: first open and close n connections (warms the
                           server's code paths) before the 'before' sample, so it is not counted per connection
              --heart-beat cx,cy       CONNECT heart-beat (default 0,0: none); with cx > 0 every connection
                           sends an EOL every max(cx, server's sy) ms, as STOMP 1.2 negotiates, so sessions stay up
              --distinct-users K       connections: user names repeat every K connections (u0..u<K-1>),
                           so K users hold the N sessions (a gateway binds each user once per node)
              --broadcasts N           connections: N SENDs to --topic from one publisher (shard 0, on
                           --publisher-url), spread over the hold (the k-th at (k + 1/2) x hold / N); the body
                           carries the send time (System.nanoTime: CLOCK_MONOTONIC, one clock for every process
                           on the machine) and every shard records each arrival: broadcast_p50/p99/max_ms
                           (max of one broadcast = SEND to last arrival), broadcast_received, broadcast_lost
            scale-out (connections scenario, one process)
              --live-path /actuator/health/readiness   a --url node takes connections only while GET of this
                           path on its host:port answers 200 (asked every 500 ms): list nodes that start later
              --reconnect-on rebalancing[,...]   a connection closed with an ERROR of this message reconnects
                           as the same user to the next live node, round-robin, and subscribes again (as a
                           load balancer would place it); reports reconnects, their times, sessions per node
              --balance round-robin|least-connections   how (re)connections pick among the live nodes
                           (least-connections: the node this tool holds fewest connections on)
              --max-reconnects n       bound on reconnects (default 10 x connections)
              --until-file F           the measured window (the hold) ends early once file F exists
            measurement
              --server-pid p[,p...]    server processes: RSS (VmRSS) and CPU (utime+stime) before/after,
                           KB per connection, CPU-seconds per million delivered (fanout) or sent
                           (latency, amqp-latency, user), a beam.smp's (RabbitMQ's) part apart
              --server-gc              JVM servers: full GC (jcmd GC.run) before the first and last sample,
                           and their used heap (jcmd GC.heap_info): heap KB per connection
              --label name             tags the result line; --json-out file appends the JSON line
            splitting (a process may hold at most ~19,000 sockets here, and receiving more than
            ~60-80k frames/s wants more than one process)
              --fork k                 run k shard processes of this tool and merge their results
              --shard i/k              run shard i of k by hand (merge the lines yourself)
              --fork-jvm-opts '...'    JVM options for forked shards (default -Xmx512m -XX:+UseParallelGC)

            Output: a readable table, then ONE JSON line (last line of stdout). Progress goes to stderr.
            """;
}
