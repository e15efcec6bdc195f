package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The amqp-latency scenario's parts that need no broker, and its figures in the report and summary. */
class AmqpLatencyTest {

    // ------------------------------------------------------------------ acks

    @Test
    void acksOneCumulativeAckPerBatch() {
        List<Long> acked = new ArrayList<>();
        List<Runnable> lingers = new ArrayList<>();
        AmqpAcks acks = new AmqpAcks(3, acked::add, lingers::add);
        for (long tag = 1; tag <= 7; tag++) {
            acks.delivered(tag);
        }
        // tags 1-3 and 4-6 acked at the 3rd and 6th delivery, each up to its last tag
        assertEquals(List.of(3L, 6L), acked);
        assertEquals(1, acks.unacked());
        assertEquals(2, acks.acksSent());
        // one linger, asked at the first delivery, still pending (a full batch does not cancel it, as in
        // the gateway); when it runs it acks what is left
        assertEquals(1, lingers.size());
        lingers.get(0).run();
        assertEquals(List.of(3L, 6L, 7L), acked);
        assertEquals(0, acks.unacked());
    }

    @Test
    void lingerAcksWhatAQuietQueueStillHolds() {
        List<Long> acked = new ArrayList<>();
        List<Runnable> lingers = new ArrayList<>();
        AmqpAcks acks = new AmqpAcks(500, acked::add, lingers::add);
        acks.delivered(1);
        acks.delivered(2);
        assertEquals(1, lingers.size(), "one linger per batch, not per delivery");
        lingers.get(0).run();
        assertEquals(List.of(2L), acked);
        assertEquals(0, acks.unacked());
        acks.delivered(3);
        assertEquals(2, lingers.size(), "after a flush, the next delivery asks for a new linger");
        lingers.get(1).run();
        lingers.get(1).run(); // a second run with nothing unacked sends nothing
        assertEquals(List.of(2L, 3L), acked);
    }

    @Test
    void ackEveryIsHalfThePrefetchAsTheGatewayDoes() {
        assertEquals(500, AmqpAcks.everyFor(1000));
        assertEquals(1, AmqpAcks.everyFor(1));
        assertThrows(IllegalArgumentException.class, () -> new AmqpAcks(0, t -> { }, r -> { }));
    }

    @Test
    void aFailedAckIsCountedNotThrown() {
        AmqpAcks acks = new AmqpAcks(1, t -> {
            throw new java.io.IOException("channel closed");
        }, r -> { });
        acks.delivered(1);
        assertEquals(0, acks.acksSent());
        assertEquals(1, acks.ackFailures());
    }

    // ------------------------------------------------------------------ publisher confirms

    @Test
    void confirmsSettleOneOrAllUpToATag() {
        Histogram h = Result.newHistogram();
        AmqpConfirms c = new AmqpConfirms(h);
        c.window(1_000, 2_000);
        for (long seq = 1; seq <= 5; seq++) {
            c.published(seq, 900 + seq * 100); // scheduled 1000, 1100, ..., 1400
        }
        assertEquals(1, c.settle(2, false, true, 1_100_000));
        assertEquals(2, c.settle(3, true, true, 1_300_000)); // 1 and 3 (2 is settled already)
        assertEquals(1, c.settle(4, false, false, 1_400_000)); // refused
        assertEquals(0, c.settle(4, false, true, 1_500_000)); // nothing outstanding by that number
        assertEquals(3, c.acked());
        assertEquals(1, c.nacked());
        assertEquals(1, c.unconfirmed());
        assertEquals(1, c.unknown());
        // the confirms of messages scheduled in the window, from their scheduled time (µs)
        assertEquals(3, h.getTotalCount());
        assertEquals(1_098, h.getMinValue()); // seq 2: (1_100_000 - 1_100) ns
        assertEquals(1_299, h.getMaxValue()); // seq 1: (1_300_000 - 1_000) ns
    }

    @Test
    void confirmsOutsideTheWindowAreCountedButNotTimed() {
        Histogram h = Result.newHistogram();
        AmqpConfirms c = new AmqpConfirms(h);
        c.window(1_000, 2_000);
        c.published(1, 500);
        c.published(2, 2_000);
        assertEquals(2, c.settle(2, true, true, 5_000));
        assertEquals(2, c.acked());
        assertEquals(0, h.getTotalCount());
    }

    // ------------------------------------------------------------------ target and options

    @Test
    void amqpUriIsLoopbackOnlyAndKeepsItsPasswordOutOfTheReport() {
        AmqpTarget d = AmqpTarget.parse(AmqpTarget.DEFAULT_URI);
        assertEquals("127.0.0.1", d.address().getHostAddress());
        assertEquals(5672, d.port());
        assertEquals("guest", d.username());
        assertEquals("guest", d.password());
        assertEquals("/", d.vhost());
        assertEquals("amqp://guest@127.0.0.1:5672/%2F", d.toString());
        AmqpTarget t = AmqpTarget.parse("amqp://bench:s%40cret@localhost/v1");
        assertEquals("s@cret", t.password());
        assertEquals("v1", t.vhost());
        assertEquals(5672, t.port());
        assertTrue(t.address().isLoopbackAddress());
        assertFalse(t.toString().contains("cret"));
        assertEquals("/", AmqpTarget.parse("amqp://127.0.0.1:5673").vhost());
        assertThrows(IllegalArgumentException.class, () -> AmqpTarget.parse("amqp://10.0.0.1:5672/"));
        assertThrows(IllegalArgumentException.class, () -> AmqpTarget.parse("amqp://rabbit.example.com/"));
        assertThrows(IllegalArgumentException.class, () -> AmqpTarget.parse("amqps://127.0.0.1/"));
    }

    @Test
    void optionsForTheAmqpScenario() {
        Options o = Options.parse(new String[] {"amqp-latency", "--rate", "500", "--amqp-prefetch", "200"}).resolve();
        assertEquals(1, o.subscribers);
        assertEquals(200, o.amqpPrefetch);
        assertEquals(200, o.amqpAckLingerMs);
        assertEquals(5.0, o.warmup);
        assertEquals(20.0, o.duration);
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"amqp-latency", "--subscribers", "2"}).resolve());
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"amqp-latency", "--fork", "2"}).resolve());
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"amqp-latency", "--amqp-uri", "amqp://192.168.1.1/"}).resolve());
    }

    // ------------------------------------------------------------------ report and summary

    /** A result line of a latency-like run: 10 s window, 10,000 sent, server pids 11 (java) and 12 (beam.smp). */
    private static Map<String, Object> report(String scenario, String label) {
        Options o = Options.parse(new String[] {scenario, "--label", label, "--duration", "10", "--warmup", "1"}).resolve();
        Result r = new Result();
        r.count("subscribers_ok", 1);
        r.count("sent_window", 10_000);
        r.count("received_window", 9_998);
        r.count("tool_cpu_ms_window", 2_000);
        r.count("tool_processes", 1);
        r.count("confirmed_total", 10_100);
        r.count("amqp_cleaned_up", 1);
        for (int i = 1; i <= 100; i++) {
            r.hist("latency_us").recordValue(i * 10);
        }
        Sampler s = new Sampler(List.of(11L, 12L), List.of("java", "beam.smp"), false);
        s.samples[0] = new ProcStats.Sample[] {new ProcStats.Sample(1000, 1.0), new ProcStats.Sample(2000, 5.0)};
        s.samples[1] = new ProcStats.Sample[] {new ProcStats.Sample(1000, 2.0), new ProcStats.Sample(2000, 6.0)};
        s.samples[2] = new ProcStats.Sample[] {new ProcStats.Sample(1000, 3.5), new ProcStats.Sample(2000, 6.5)};
        return Report.build(o, r, s);
    }

    @Test
    void cpuPerMillionMessagesWithRabbitMqApart() {
        Map<String, Object> m = report("amqp-latency", "amqp");
        assertEquals(2.0, m.get("server_cpu_s")); // 1.5 (java) + 0.5 (beam.smp)
        assertEquals(200.0, m.get("server_cpu_s_per_million_messages")); // 2.0 s / 10,000 × 1e6
        assertEquals(0.5, m.get("broker_cpu_s"));
        assertEquals(50.0, m.get("broker_cpu_s_per_million_messages"));
        assertEquals(150.0, m.get("non_broker_cpu_s_per_million_messages"));
        assertEquals(200.0, m.get("tool_cpu_s_per_million_messages"));
        assertEquals(2L, m.get("lost"));
        assertEquals(0.5, m.get("p50_ms"));
        assertEquals(10_100L, m.get("confirmed_total"));
        assertEquals(true, m.get("amqp_cleaned_up"));
        assertEquals("amqp://guest@127.0.0.1:5672/%2F", m.get("urls"));
        Map<String, Object> stomp = report("latency", "stompgate");
        assertEquals(200.0, stomp.get("server_cpu_s_per_million_messages"));
        assertFalse(stomp.containsKey("confirmed_total"));
    }

    @Test
    void brokerOnlyRunsHaveNoGatewayShare() {
        Options o = Options.parse(new String[] {"amqp-latency", "--duration", "10"}).resolve();
        Result r = new Result();
        r.count("sent_window", 10_000);
        Sampler s = new Sampler(List.of(12L), List.of("beam.smp"), false);
        s.samples[0] = new ProcStats.Sample[] {new ProcStats.Sample(2000, 5.0)};
        s.samples[1] = new ProcStats.Sample[] {new ProcStats.Sample(2000, 6.0)};
        s.samples[2] = new ProcStats.Sample[] {new ProcStats.Sample(2000, 7.0)};
        Map<String, Object> m = Report.build(o, r, s);
        assertEquals(100.0, m.get("server_cpu_s_per_million_messages"));
        assertEquals(100.0, m.get("broker_cpu_s_per_million_messages"));
        assertFalse(m.containsKey("non_broker_cpu_s_per_million_messages"));
    }

    @Test
    void summarizeComparesAmqpLatencyWithLatency(@TempDir Path dir) throws Exception {
        assertEquals("latency", Summarize.group(Map.of("scenario", "amqp-latency")));
        Path f = dir.resolve("results.jsonl");
        Files.writeString(f, Json.write(report("latency", "stompgate")) + "\n" + Json.write(report("amqp-latency", "amqp")) + "\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Options o = Options.parse(new String[] {"summarize", f.toString()});
        assertEquals(0, Summarize.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        String out = bytes.toString(StandardCharsets.UTF_8);
        String last = out.strip().lines().reduce((a, b) -> b).orElseThrow();
        Map<String, Object> json = Json.parse(last);
        assertEquals(200.0, json.get("latency.amqp.server_cpu_s_per_million_messages"));
        assertEquals(50.0, json.get("latency.stompgate.broker_cpu_s_per_million_messages"));
        assertEquals(1.0, json.get("latency.ratio.amqp.server_cpu_s_per_million_messages"));
        assertTrue(out.contains("srv_cpu_s/M_msgs"), out);
    }
}
