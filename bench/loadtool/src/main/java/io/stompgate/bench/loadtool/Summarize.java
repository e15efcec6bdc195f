package io.stompgate.bench.loadtool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code summarize results.jsonl...}: medians per scenario and label over the rounds, and the ratio
 * of {@code --ours} (default {@code stompgate}) to every other label.
 */
final class Summarize {

    /** Per scenario: the figures compared, and whether higher is better. */
    static final Map<String, Map<String, Boolean>> METRICS = new LinkedHashMap<>();

    static {
        Map<String, Boolean> fanout = ordered("delivered_per_s", true, "published_per_s", true,
                "server_cpu_s_per_million_delivered", false, "server_cores", false, "tool_cores", false,
                "dropped_while_running", false);
        METRICS.put("fanout", fanout); // receipt-paced publisher (and raw runs)
        METRICS.put("fanout:echo", fanout); // echo-paced publisher (and raw runs)
        // latency: also amqp-latency's lines (a bare AMQP round trip: RabbitMQ's own hop), see group()
        METRICS.put("latency", ordered("p50_ms", false, "p90_ms", false, "p99_ms", false, "max_ms", false,
                "lost", false, "server_cores", false, "server_cpu_s_per_million_messages", false,
                "broker_cpu_s_per_million_messages", false));
        METRICS.put("user", ordered("p50_ms", false, "p99_ms", false, "max_ms", false, "lost", false,
                "server_cores", false));
        METRICS.put("connections", ordered("connections_ok", true, "kb_per_connection", false, "heap_kb_per_connection", false,
                "connect_p50_ms", false, "connect_p99_ms", false, "subscribe_p99_ms", false));
        METRICS.put("rooms", ordered("subscriptions_ok", true, "subscribe_per_s", true, "subscribe_p50_ms", false,
                "subscribe_p99_ms", false, "subscribe_server_cpu_s", false, "delivered_per_s", true, "lost", false,
                "p50_ms", false, "p99_ms", false, "server_cpu_s_per_million_delivered", false, "server_cores", false));
    }

    private static Map<String, Boolean> ordered(Object... kv) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Boolean) kv[i + 1]);
        }
        return m;
    }

    static int run(Options o, PrintStream out) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> inputs = o.positional.isEmpty() ? List.of("-") : o.positional;
        try {
            for (String in : inputs) {
                List<String> lines = in.equals("-")
                        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList()
                        : Files.readAllLines(Path.of(in), StandardCharsets.UTF_8);
                for (String line : lines) {
                    String t = line.trim();
                    if (t.startsWith("{")) {
                        try {
                            rows.add(Json.parse(t));
                        } catch (RuntimeException e) {
                            System.err.println("skipping unreadable line: " + t);
                        }
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("summarize: " + e);
            return 2;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("summary", "medians");
        json.put("ours", o.ours);
        for (Map.Entry<String, Map<String, Boolean>> sc : METRICS.entrySet()) {
            String scenario = sc.getKey();
            // label -> metric -> values
            Map<String, Map<String, List<Double>>> byLabel = new LinkedHashMap<>();
            Map<String, Integer> failures = new LinkedHashMap<>();
            for (Map<String, Object> row : rows) {
                if (!scenario.equals(group(row)) && !(Boolean.TRUE.equals(row.get("raw"))
                        && scenario.startsWith(String.valueOf(row.get("scenario")) + ":"))) {
                    continue;
                }
                String label = String.valueOf(row.get("label"));
                Map<String, List<Double>> mm = byLabel.computeIfAbsent(label, k -> new LinkedHashMap<>());
                if (row.containsKey("error") || row.containsKey("fatal")) {
                    failures.merge(label, 1, Integer::sum);
                    continue;
                }
                for (String metric : sc.getValue().keySet()) {
                    Object v = row.get(metric);
                    if (v instanceof Double d && d >= 0) {
                        mm.computeIfAbsent(metric, k -> new ArrayList<>()).add(d);
                    }
                }
            }
            if (byLabel.isEmpty()) {
                continue;
            }
            List<String> metrics = new ArrayList<>(sc.getValue().keySet());
            out.println();
            out.println("== " + scenario + ": medians over rounds"
                    + (scenario.equals("fanout") ? " (publisher paced by RECEIPTs)" : "")
                    + (scenario.equals("fanout:echo") ? " (publisher paced by its own copy coming back)" : ""));
            StringBuilder head = new StringBuilder(String.format("%-20s %6s", "label", "rounds"));
            for (String metric : metrics) {
                head.append(String.format(" %22s", shorten(metric)));
            }
            out.println(head);
            Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, List<Double>>> e : byLabel.entrySet()) {
                Map<String, Double> med = new LinkedHashMap<>();
                int n = 0;
                StringBuilder line = new StringBuilder();
                for (String metric : metrics) {
                    List<Double> vs = e.getValue().getOrDefault(metric, List.of());
                    n = Math.max(n, vs.size());
                    Double md = vs.isEmpty() ? null : median(vs);
                    med.put(metric, md);
                    line.append(String.format(" %22s", md == null ? "-" : Report.fmt(md)));
                    if (md != null) {
                        json.put(scenario + "." + e.getKey() + "." + metric, md);
                    }
                }
                medians.put(e.getKey(), med);
                String failed = failures.containsKey(e.getKey()) ? " (" + failures.get(e.getKey()) + " failed)" : "";
                out.println(String.format("%-20s %6d", e.getKey(), n) + line + failed);
            }
            Map<String, Double> ours = medians.get(o.ours);
            if (ours == null) {
                continue;
            }
            out.println("-- ratio " + o.ours + " / other (for each figure: higher-is-better ones want > 1, the others < 1)");
            for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
                if (e.getKey().equals(o.ours) || e.getKey().startsWith(o.ours + "-")) {
                    continue; // ours, or our own variants (e.g. stompgate-20k)
                }
                StringBuilder line = new StringBuilder(String.format("%-20s %6s", e.getKey(), ""));
                for (String metric : metrics) {
                    Double a = ours.get(metric);
                    Double b = e.getValue().get(metric);
                    String s = "-";
                    if (a != null && b != null && b != 0) {
                        double ratio = a / b;
                        s = String.format(java.util.Locale.ROOT, "%.2fx", ratio);
                        json.put(scenario + ".ratio." + e.getKey() + "." + metric, Report.round(ratio, 4));
                    }
                    line.append(String.format(" %22s", s));
                }
                out.println(line);
            }
        }
        out.println();
        out.println(Json.write(json));
        return 0;
    }

    /**
     * fanout runs split by how the publisher was paced; raw runs (always echo) count in both;
     * amqp-latency lines are compared with latency lines (the same figures).
     */
    static String group(Map<String, Object> row) {
        String scenario = String.valueOf(row.get("scenario"));
        if (scenario.equals("amqp-latency")) {
            return "latency";
        }
        if (scenario.equals("fanout") && "echo".equals(row.get("pace")) && !Boolean.TRUE.equals(row.get("raw"))) {
            return "fanout:echo";
        }
        return scenario;
    }

    private static String shorten(String metric) {
        return metric.replace("server_cpu_s_per_million_delivered", "srv_cpu_s/M_delivered")
                .replace("server_cpu_s_per_million_messages", "srv_cpu_s/M_msgs")
                .replace("broker_cpu_s_per_million_messages", "rabbitmq_cpu_s/M_msgs")
                .replace("dropped_while_running", "dropped_subscribers");
    }

    static double median(List<Double> vs) {
        List<Double> s = new ArrayList<>(vs);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
