package io.stompgate.bench.loadtool;

import java.util.LinkedHashMap;
import java.util.Map;

/** What one process measured: counters, histograms and notes; shards merge by adding. */
final class Result {

    final Map<String, Long> counters = new LinkedHashMap<>();
    final Map<String, Histogram> hists = new LinkedHashMap<>();
    final Map<String, String> info = new LinkedHashMap<>();

    synchronized Histogram hist(String name) {
        return hists.computeIfAbsent(name, k -> new Histogram());
    }

    synchronized void count(String name, long v) {
        counters.put(name, v);
    }

    synchronized long counter(String name) {
        Long v = counters.get(name);
        return v == null ? 0 : v;
    }

    synchronized void info(String name, String v) {
        if (v == null || v.isEmpty()) {
            return;
        }
        String old = info.get(name);
        info.put(name, old == null || old.equals(v) ? v : old + " | " + v);
    }

    /** One flat JSON object: c.* counters, h.* encoded histograms, i.* notes. */
    synchronized String toWire() {
        Map<String, Object> m = new LinkedHashMap<>();
        counters.forEach((k, v) -> m.put("c." + k, v));
        hists.forEach((k, v) -> m.put("h." + k, v.encode()));
        info.forEach((k, v) -> m.put("i." + k, v));
        return Json.write(m);
    }

    synchronized void mergeWire(String json) {
        for (Map.Entry<String, Object> e : Json.parse(json).entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (k.startsWith("c.")) {
                counters.merge(k.substring(2), ((Number) v).longValue(), Long::sum);
            } else if (k.startsWith("h.")) {
                hist(k.substring(2)).merge(Histogram.decode((String) v));
            } else if (k.startsWith("i.") && v != null) {
                info(k.substring(2), v.toString());
            }
        }
    }
}
