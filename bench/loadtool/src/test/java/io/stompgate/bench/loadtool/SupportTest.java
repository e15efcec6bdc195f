package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SupportTest {

    @Test
    void procStatParsing() {
        String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 1000 100000 5000";
        assertEquals(3.25, ProcStats.cpuSeconds(stat), 1e-9);
        assertEquals(123456, ProcStats.rssKb("Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\n"));
        assertTrue(ProcStats.self().rssKb() > 0);
    }

    @Test
    void heapInfoParsing() {
        assertEquals(108215, Sampler.heapUsed("1:\n garbage-first heap   total 228352K, used 108215K [0x0, 0x1)\n"
                + "  region size 1024K, 19 young (19456K)\n Metaspace       used 43976K, committed 44480K, reserved 1114112K\n"));
        assertEquals(10485, Sampler.heapUsed(" PSYoungGen      total 76288K, used 10485K [0x0)\n"
                + " ParOldGen       total 175104K, used 0K [0x0)\n Metaspace       used 1K, committed 2K, reserved 3K\n"));
        assertEquals(-1, Sampler.heapUsed("no such process"));
    }

    @Test
    void jsonRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", "x\"y\n");
        m.put("n", 12.5);
        m.put("l", 3L);
        m.put("b", true);
        m.put("z", null);
        Map<String, Object> back = Json.parse(Json.write(m));
        assertEquals("x\"y\n", back.get("a"));
        assertEquals(12.5, back.get("n"));
        assertEquals(3.0, back.get("l"));
        assertEquals(true, back.get("b"));
        assertTrue(back.containsKey("z"));
    }

    @Test
    void onlyLoopbackTargets() {
        Options.requireLoopback(URI.create("ws://127.0.0.1:8080/ws"));
        Options.requireLoopback(URI.create("ws://localhost:8080/ws"));
        assertThrows(IllegalArgumentException.class, () -> Options.requireLoopback(URI.create("ws://10.0.0.1:80/ws")));
        assertThrows(IllegalArgumentException.class, () -> Options.requireLoopback(URI.create("wss://127.0.0.1/ws")));
    }

    @Test
    void resolverNeverLeavesLoopback() throws Exception {
        for (String ok : new String[] {"127.0.0.1", "127.0.0.2", "localhost", "[::1]", "::1", "127.0.0.1:18081", "localhost:1"}) {
            assertTrue(LoopbackResolver.loopback(ok).isLoopbackAddress(), ok);
        }
        for (String bad : new String[] {"10.1.1.1", "example.com", "10.0.0.1:80", "192.168.0.1", "8.8.8.8:53"}) {
            assertThrows(java.net.UnknownHostException.class, () -> LoopbackResolver.loopback(bad), bad);
        }
    }

    @Test
    void optionsAndMedians() {
        Options o = Options.parse(new String[] {"fanout", "--url", "ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws",
            "--duration=3s", "--warmup", "500ms", "--identity", "query,login"}).resolve();
        assertEquals(2, o.urls.size());
        assertEquals(3.0, o.duration);
        assertEquals(0.5, o.warmup);
        assertEquals(1000, o.subscribers);
        assertEquals(1, o.subscriberUrl);
        assertTrue(o.identity.contains("login"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"fanout", "--duration", "2h"}));
        assertEquals(2.0, Summarize.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Summarize.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void replayDefaultsToOneBoundedReadFromFirstWithoutWarmUp() {
        Options o = Options.parse(new String[] {"replay", "--url", "ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws",
            "--messages", "5000"}).resolve();
        assertEquals(5000, o.messages);
        assertEquals("first", o.offset);
        assertEquals(0.0, o.warmup);
        assertEquals(120.0, o.duration);
        assertEquals(1, o.subscriberUrl);
        assertEquals(0, o.publisherUrl);
        assertTrue(o.maxTime > o.setupTimeout + o.duration, "the hard stop bounds the publishing and the read");
        assertThrows(IllegalArgumentException.class,
            () -> Options.parse(new String[] {"replay", "--fork", "2"}).resolve());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"replay", "--messages", "0"}));
    }
}
