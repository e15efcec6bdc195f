package io.stompgate.bench.loadtool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;

/** Turns merged counters, histograms and /proc samples into the result line and its table. */
final class Report {

    private Report() {
    }

    static Map<String, Object> build(Options o, Result r, Sampler sampler) {
        Map<String, Object> m = new LinkedHashMap<>();
        double secs = o.scenario.equals("replay") && r.counter("replay_us") > 0 ? r.counter("replay_us") / 1e6 : o.duration;
        m.put("scenario", o.scenario);
        m.put("label", o.label);
        boolean amqp = o.scenario.equals("amqp-latency");
        m.put("urls", amqp ? AmqpTarget.parse(o.amqpUri).toString()
                : o.urls.stream().map(Object::toString).collect(Collectors.joining(",")));
        m.put("raw", o.raw);
        m.put("warmup_s", o.warmup);
        m.put("duration_s", o.duration);
        switch (o.scenario) {
            case "fanout" -> {
                m.put("subscribers", o.subscribers);
                m.put("subscribers_ok", r.counter("subscribers_ok"));
                m.put("subscribers_failed", r.counter("subscribers_failed"));
                m.put("body_bytes", o.bodyBytes);
                m.put("window", o.window);
                m.put("pace", o.raw ? "echo" : o.pace);
                m.put("max_rate", o.maxRate);
                m.put("published_per_s", r.counter("published_window") / secs);
                m.put("confirmed_per_s", r.counter("confirmed_window") / secs);
                m.put("delivered_per_s", r.counter("delivered_window") / secs);
                m.put("delivered_window", r.counter("delivered_window"));
                long pub = r.counter("published_total");
                m.put("delivered_per_published", pub == 0 ? 0.0 : r.counter("delivered_total") / (double) pub);
                m.put("dropped_while_running", r.counter("dropped_while_running"));
                percentiles(m, "subscribe", r.hist("subscribe_us"), false);
            }
            case "latency", "amqp-latency", "user" -> {
                boolean user = o.scenario.equals("user");
                if (user) {
                    m.put("users", o.users);
                    m.put("users_ok", r.counter("users_ok"));
                    m.put("users_failed", r.counter("users_failed"));
                } else {
                    m.put("subscribers", o.subscribers);
                    m.put("subscribers_ok", r.counter("subscribers_ok"));
                    m.put("subscribers_failed", r.counter("subscribers_failed"));
                }
                m.put("rate", o.rate);
                m.put("body_bytes", o.bodyBytes);
                long sent = r.counter("sent_window");
                long expected = user ? sent : sent * r.counter("subscribers_ok");
                m.put("sent_window", sent);
                m.put("sent_per_s", sent / secs);
                m.put("received_window", r.counter("received_window"));
                m.put("lost", expected - r.counter("received_window"));
                percentiles(m, "", r.hist("latency_us"), true);
                m.put("dropped_while_running", r.counter("dropped_while_running"));
                if (amqp) {
                    m.put("amqp_prefetch", o.amqpPrefetch);
                    m.put("amqp_ack_every", AmqpAcks.everyFor(o.amqpPrefetch));
                    m.put("amqp_ack_linger_ms", o.amqpAckLingerMs);
                    m.put("sent_total", r.counter("sent_total"));
                    m.put("confirmed_total", r.counter("confirmed_total"));
                    m.put("nacked_total", r.counter("nacked_total"));
                    m.put("unconfirmed", r.counter("unconfirmed"));
                    m.put("confirms_unmatched", r.counter("confirms_unmatched"));
                    percentiles(m, "confirm", r.hist("confirm_us"), false);
                    m.put("acks_sent", r.counter("acks_sent"));
                    m.put("ack_failures", r.counter("ack_failures"));
                    m.put("amqp_cleaned_up", r.counter("amqp_cleaned_up") == 1);
                }
            }
            case "connections" -> {
                m.put("connections", o.connections);
                m.put("connections_ok", r.counter("connections_ok"));
                m.put("connections_failed", r.counter("connections_failed"));
                m.put("dropped_while_holding", r.counter("dropped_while_holding"));
                m.put("source_addresses", o.sourceAddresses);
                m.put("batch", o.batch);
                long openMs = r.counter("open_ms") / Math.max(1, r.counter("tool_processes"));
                m.put("open_s", openMs / 1000.0);
                // forked: from starting the shard processes to the last one holding all its connections
                long wallMs = r.counters.containsKey("setup_wall_ms") ? r.counter("setup_wall_ms") : openMs;
                m.put("setup_wall_s", wallMs / 1000.0);
                m.put("connect_rate_per_s", wallMs > 0 ? round(r.counter("connections_ok") * 1000.0 / wallMs, 1) : 0.0);
                m.put("heart_beat", o.heartBeatCx + "," + o.heartBeatCy);
                m.put("heart_beats_sent", r.counter("heart_beats_sent"));
                percentiles(m, "connect", r.hist("connect_us"), true);
                percentiles(m, "subscribe", r.hist("subscribe_us"), false);
                if (!o.reconnectOn.isEmpty() || o.livePath != null) {
                    m.put("reconnects", r.counter("reconnects"));
                    m.put("reconnects_failed", r.counter("reconnects_failed"));
                    m.put("live_changed_s", r.counter("live_changed_ms") / 1000.0);
                    if (r.counters.containsKey("first_reconnect_ms")) {
                        m.put("first_reconnect_s", r.counter("first_reconnect_ms") / 1000.0);
                        m.put("last_reconnect_s", r.counter("last_reconnect_ms") / 1000.0);
                        m.put("last_reconnect_after_live_change_s", r.counter("last_reconnect_after_live_change_ms") / 1000.0);
                    }
                    percentiles(m, "reconnect", r.hist("reconnect_us"), false);
                    m.put("sessions_per_node", r.info.getOrDefault("sessions_per_node", ""));
                }
                if (o.broadcasts > 0) {
                    long sent = r.counter("broadcasts_sent");
                    long expected = sent * r.counter("connections_ok");
                    m.put("broadcasts", o.broadcasts);
                    m.put("broadcasts_sent", sent);
                    m.put("broadcast_expected", expected);
                    m.put("broadcast_received", r.counter("broadcast_received"));
                    m.put("broadcast_lost", expected - r.counter("broadcast_received"));
                    percentiles(m, "broadcast", r.hist("broadcast_us"), true);
                }
            }
            case "rooms" -> rooms(m, o, r, secs);
            case "replay" -> {
                m.put("messages", o.messages);
                m.put("offset", o.offset);
                m.put("body_bytes", o.bodyBytes);
                m.put("window", o.window);
                m.put("published_confirmed", r.counter("published_confirmed"));
                long pubMs = r.counter("publish_ms");
                m.put("publish_s", pubMs / 1000.0);
                m.put("published_per_s", pubMs > 0 ? round(r.counter("published_confirmed") * 1000.0 / pubMs, 1) : 0.0);
                long replayed = r.counter("replayed");
                long us = r.counter("replay_us");
                m.put("replayed", replayed);
                m.put("replay_complete", replayed == o.messages && us > 0);
                m.put("replay_s", us / 1e6);
                m.put("replayed_per_s", us > 0 ? round(replayed * 1e6 / us, 1) : 0.0);
                m.put("receipt_ms", r.counter("receipt_us") / 1000.0);
                m.put("first_message_ms", r.counter("first_message_us") / 1000.0);
                m.put("out_of_order", r.counter("out_of_order"));
                m.put("dropped_while_running", r.counter("dropped_while_running"));
            }
            default -> {
            }
        }
        // servers
        if (!sampler.pids.isEmpty()) {
            m.put("server_pids", sampler.pids.stream().map(String::valueOf).collect(Collectors.joining(",")));
            long before = sampler.rssKb(0);
            long start = sampler.has(1) ? sampler.rssKb(1) : -1;
            long after = sampler.has(2) ? sampler.rssKb(2) : -1;
            m.put("server_rss_kb_before", before);
            m.put("server_rss_kb_window_start", start);
            m.put("server_rss_kb_after", after);
            double cpu = 0;
            double brokerCpu = 0;
            boolean anyBroker = false;
            boolean anyOther = false;
            boolean cpuOk = sampler.has(1) && sampler.has(2);
            for (int i = 0; i < sampler.pids.size() && cpuOk; i++) {
                double a = sampler.cpu(1, i);
                double b = sampler.cpu(2, i);
                if (a < 0 || b < 0) {
                    cpuOk = false;
                    break;
                }
                long pid = sampler.pids.get(i);
                m.put("pid_" + pid + "_cpu_s", round(b - a, 3));
                m.put("pid_" + pid + "_rss_kb_before", sampler.samples[0][i].rssKb());
                m.put("pid_" + pid + "_rss_kb", sampler.samples[2][i].rssKb());
                if (sampler.samplesAfterGc[2][i] != null) {
                    m.put("pid_" + pid + "_rss_kb_after_gc", sampler.samplesAfterGc[2][i].rssKb());
                }
                cpu += b - a;
                if (sampler.isBroker(i)) {
                    brokerCpu += b - a;
                    anyBroker = true;
                } else {
                    anyOther = true;
                }
            }
            m.put("server_cpu_s", cpuOk ? round(cpu, 3) : -1.0);
            m.put("server_cores", cpuOk ? round(cpu / secs, 3) : -1.0);
            if (o.scenario.equals("fanout") || o.scenario.equals("rooms")) {
                long d = r.counter(o.scenario.equals("rooms") ? "arrived_in_window" : "delivered_window");
                m.put("server_cpu_s_per_million_delivered", cpuOk && d > 0 ? round(cpu / d * 1e6, 3) : -1.0);
            }
            if (perMessage(o)) {
                // CPU-seconds per million messages sent in the window (servers + RabbitMQ, and RabbitMQ's part)
                long sent = r.counter("sent_window");
                m.put("server_cpu_s_per_million_messages", perMillion(cpuOk, cpu, sent));
                if (anyBroker) {
                    m.put("broker_cpu_s", cpuOk ? round(brokerCpu, 3) : -1.0);
                    m.put("broker_cpu_s_per_million_messages", perMillion(cpuOk, brokerCpu, sent));
                    if (anyOther) { // e.g. the gateway nodes
                        m.put("non_broker_cpu_s_per_million_messages", perMillion(cpuOk, cpu - brokerCpu, sent));
                    }
                }
            }
            if (o.scenario.equals("connections")) {
                long ok = r.counter("connections_ok");
                m.put("kb_per_connection", ok > 0 && before >= 0 && after >= 0 ? round((after - before) / (double) ok, 3) : -1.0);
                long h2 = sampler.has(2) ? sampler.heapUsedKb(2) : -1;
                long h3 = sampler.has(3) ? sampler.heapUsedKb(3) : -1;
                long g2 = sampler.rssKbAfterGc(2);
                if (g2 >= 0) {
                    m.put("server_rss_after_gc_kb_after", g2);
                }
                if (h2 >= 0 && h3 >= 0) {
                    // live heap: everything subscribed minus everything closed, both after a full GC
                    m.put("server_heap_used_kb_after", h2);
                    m.put("server_heap_used_kb_closed", h3);
                    m.put("heap_kb_per_connection", ok > 0 ? round((h2 - h3) / (double) ok, 3) : -1.0);
                }
            }
        }
        // the tool itself
        double toolCpu = r.counter("tool_cpu_ms_window") / 1000.0;
        m.put("tool_processes", r.counter("tool_processes"));
        m.put("tool_cpu_s", toolCpu);
        m.put("tool_cores", round(toolCpu / secs, 3));
        m.put("tool_cpu_total_s", r.counter("tool_cpu_ms_total") / 1000.0);
        m.put("tool_rss_kb", r.counter("tool_rss_kb_max"));
        if (o.scenario.equals("fanout") && r.counter("delivered_window") > 0) {
            m.put("tool_cpu_s_per_million_delivered", round(toolCpu / r.counter("delivered_window") * 1e6, 3));
        }
        if (perMessage(o) && r.counter("sent_window") > 0) {
            m.put("tool_cpu_s_per_million_messages", round(toolCpu / r.counter("sent_window") * 1e6, 3));
        }
        m.put("errors", r.info.getOrDefault("errors", ""));
        if (r.info.containsKey("fatal")) {
            m.put("fatal", r.info.get("fatal"));
        }
        return m;
    }

    /** Scenarios sent at a fixed rate: their CPU is also given per million messages sent. */
    private static boolean perMessage(Options o) {
        return o.scenario.equals("latency") || o.scenario.equals("amqp-latency") || o.scenario.equals("user");
    }

    static double perMillion(boolean ok, double cpuSeconds, long messages) {
        return ok && messages > 0 ? round(cpuSeconds / messages * 1e6, 3) : -1.0;
    }

    /** The rooms scenario: the subscribe phase, then every room busy. */
    private static void rooms(Map<String, Object> m, Options o, Result r, double secs) {
        RoomPlan plan = o.roomPlan();
        m.put("rooms", plan.rooms);
        m.put("room_size", plan.roomSize);
        m.put("rooms_per_connection", plan.perConnection);
        m.put("connections", plan.connections);
        m.put("connections_ok", r.counter("connections_ok"));
        m.put("connections_failed", r.counter("connections_failed"));
        m.put("subscriptions", plan.slots());
        long ok = r.counter("subscriptions_ok");
        m.put("subscriptions_ok", ok);
        m.put("subscriptions_failed", r.counter("subscriptions_planned") - ok);
        m.put("subscribe_window", o.subscribeWindow);
        m.put("binds_needed", r.counter("binds_needed"));
        // Shards subscribe at the same time: their mean phase length is the run's.
        double subscribeS = r.counter("subscribe_ms") / 1000.0 / Math.max(1, r.counter("tool_processes"));
        m.put("subscribe_s", subscribeS);
        m.put("subscribe_per_s", subscribeS > 0 ? round(ok / subscribeS, 1) : 0.0);
        percentiles(m, "subscribe", r.hist("subscribe_us"), false);
        if (r.counters.containsKey("subscribe_server_cpu_ms")) {
            long cpuMs = r.counter("subscribe_server_cpu_ms");
            m.put("subscribe_server_cpu_s", cpuMs / 1000.0);
            m.put("subscribe_server_cpu_ms_per_1k_subscriptions", cpuMs >= 0 && ok > 0 ? round(cpuMs * 1000.0 / ok, 3) : -1.0);
            for (long pid : o.serverPids) {
                m.put("subscribe_pid_" + pid + "_cpu_s", r.counter("subscribe_cpu_ms_pid_" + pid) / 1000.0);
            }
        }
        percentiles(m, "connect", r.hist("connect_us"), false);
        m.put("rate", o.rate);
        m.put("body_bytes", o.bodyBytes);
        long sent = r.counter("sent_window");
        long expected = r.counter("expected_window");
        long received = r.counter("received_window");
        m.put("sent_window", sent);
        m.put("sent_per_s", sent / secs);
        m.put("expected_window", expected);
        m.put("received_window", received);
        // Every MESSAGE that arrived inside the window, whenever sent: what the system delivered per second.
        m.put("delivered_per_s", r.counter("arrived_in_window") / secs);
        m.put("delivered_per_expected", expected == 0 ? 0.0 : round(received / (double) expected, 4));
        m.put("lost", expected - received);
        percentiles(m, "", r.hist("latency_us"), true);
        m.put("dropped_while_running", r.counter("dropped_while_running"));
    }

    private static void percentiles(Map<String, Object> m, String name, Histogram h, boolean full) {
        String p = name.isEmpty() ? "" : name + "_";
        m.put(p + "p50_ms", ms(h.getValueAtPercentile(50)));
        if (full) {
            m.put(p + "p90_ms", ms(h.getValueAtPercentile(90)));
        }
        m.put(p + "p99_ms", ms(h.getValueAtPercentile(99)));
        m.put(p + "max_ms", ms(h.getMaxValue()));
        if (full) {
            m.put(p + "mean_ms", round(h.getMean() / 1000.0, 3));
            m.put(p + "samples", h.getTotalCount());
        }
    }

    private static double ms(long us) {
        return us / 1000.0;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    static String table(Map<String, Object> m) {
        int w = m.keySet().stream().mapToInt(String::length).max().orElse(10);
        StringBuilder sb = new StringBuilder();
        String rule = "-".repeat(w + 2) + "+" + "-".repeat(40) + "\n";
        sb.append(rule);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            String s = v instanceof Double d ? fmt(d) : String.valueOf(v);
            sb.append(' ').append(pad(e.getKey(), w)).append(" | ").append(s).append('\n');
        }
        sb.append(rule);
        return sb.toString();
    }

    static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.format(java.util.Locale.ROOT, "%,d", (long) d);
        }
        return String.format(java.util.Locale.ROOT, Math.abs(d) >= 100 ? "%,.1f" : "%.3f", d);
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }
}
