package io.stompgate.bench.loadtool;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one process measured: counters, histograms and notes; shards merge by adding. Histograms are
 * HdrHistograms of microseconds (3 significant digits: exact to 2,047 µs, within 0.1% above; they
 * grow to whatever range is recorded) and travel between processes in HdrHistogram's compressed
 * encoding, base64, so the parent's merge is exact: the same counts as one histogram of every value.
 */
final class Result {

    /** Significant decimal digits kept by every histogram. */
    static final int SIGNIFICANT_DIGITS = 3;

    final Map<String, Long> counters = new LinkedHashMap<>();
    final Map<String, Histogram> hists = new LinkedHashMap<>();
    final Map<String, String> info = new LinkedHashMap<>();

    /** The named histogram, created empty on first use; safe to record into from any thread. */
    synchronized Histogram hist(String name) {
        return hists.computeIfAbsent(name, k -> newHistogram());
    }

    static Histogram newHistogram() {
        return new ConcurrentHistogram(SIGNIFICANT_DIGITS);
    }

    /** Records a duration given in nanoseconds as microseconds; a negative one counts as 0. */
    static void recordMicros(Histogram h, long nanos) {
        h.recordValue(Math.max(0, nanos / 1000));
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

    /** One flat JSON object: c.* counters, h.* encoded histograms ({@link #encode}), i.* notes. */
    synchronized String toWire() {
        Map<String, Object> m = new LinkedHashMap<>();
        counters.forEach((k, v) -> m.put("c." + k, v));
        hists.forEach((k, v) -> m.put("h." + k, encode(v)));
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
                hist(k.substring(2)).add(decode((String) v));
            } else if (k.startsWith("i.") && v != null) {
                info(k.substring(2), v.toString());
            }
        }
    }

    /** HdrHistogram's compressed encoding, base64 (what its log format carries per interval). */
    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n));
    }

    static Histogram decode(String s) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(s)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram: " + e.getMessage(), e);
        }
    }
}
