package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** --heart-beat negotiation and the --broadcasts result fields (merged over shards). */
class BroadcastOptionsTest {

    @Test
    void clientSendsEveryMaxOfItsOfferAndTheServersWish() {
        assertEquals(10_000, Stomp.heartBeatSendMs(10_000, "10000,10000"));
        assertEquals(15_000, Stomp.heartBeatSendMs(10_000, "5000,15000"));
        assertEquals(10_000, Stomp.heartBeatSendMs(10_000, "0,1000"));
        assertEquals(0, Stomp.heartBeatSendMs(10_000, "10000,0"), "the server wants none");
        assertEquals(0, Stomp.heartBeatSendMs(0, "10000,10000"), "the client offered none");
        assertEquals(0, Stomp.heartBeatSendMs(10_000, null));
        assertEquals(0, Stomp.heartBeatSendMs(10_000, "garbage"));
    }

    @Test
    void heartBeatOptionIsParsedAndBounded() {
        Options o = Options.parse(new String[] {"connections", "--heart-beat", "10000,20000"});
        assertEquals(10_000, o.heartBeatCx);
        assertEquals(20_000, o.heartBeatCy);
        Options d = Options.parse(new String[] {"connections"});
        assertEquals(0, d.heartBeatCx);
        assertEquals(0, d.heartBeatCy);
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"connections", "--heart-beat", "10000"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"connections", "--heart-beat", "-1,0"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"connections", "--heart-beat", "a,b"}));
    }

    @Test
    void broadcastsAreForTheConnectionsScenario() {
        assertEquals(3, Options.parse(new String[] {"connections", "--broadcasts", "3"}).resolve().broadcasts);
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"fanout", "--broadcasts", "1"}).resolve());
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"connections", "--raw", "--broadcasts", "1"}).resolve());
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"connections", "--broadcasts", "1001"}));
    }

    @Test
    void distinctUsersRepeatNames() {
        Options o = Options.parse(new String[] {"connections", "--distinct-users", "6"}).resolve();
        assertEquals("u0", o.userName(0));
        assertEquals("u5", o.userName(5));
        assertEquals("u0", o.userName(6));
        assertEquals("u13", Options.parse(new String[] {"connections"}).resolve().userName(13));
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"user", "--distinct-users", "6"}).resolve());
    }

    @Test
    void broadcastFieldsMergeOverShards() {
        Options o = Options.parse(new String[] {"connections", "--broadcasts", "1", "--connections", "4"}).resolve();
        // two shards, two connections each, one broadcast sent by shard 0; one arrival lost in shard 1
        Result shard0 = new Result();
        shard0.count("connections_ok", 2);
        shard0.count("broadcasts_sent", 1);
        shard0.count("broadcast_received", 2);
        shard0.count("tool_processes", 1);
        Result.recordMicros(shard0.hist("broadcast_us"), 1_000_000);
        Result.recordMicros(shard0.hist("broadcast_us"), 2_000_000);
        Result shard1 = new Result();
        shard1.count("connections_ok", 2);
        shard1.count("broadcasts_sent", 0);
        shard1.count("broadcast_received", 1);
        shard1.count("tool_processes", 1);
        Result.recordMicros(shard1.hist("broadcast_us"), 9_000_000);
        Result merged = new Result();
        merged.mergeWire(shard0.toWire());
        merged.mergeWire(shard1.toWire());
        merged.count("setup_wall_ms", 2000);
        Map<String, Object> m = Report.build(o, merged, new Sampler(List.of()));
        assertEquals(1L, m.get("broadcasts_sent"));
        assertEquals(4L, m.get("broadcast_expected"));
        assertEquals(3L, m.get("broadcast_received"));
        assertEquals(1L, m.get("broadcast_lost"));
        assertEquals(2.0, m.get("broadcast_p50_ms"));
        assertEquals(9.0, (double) m.get("broadcast_max_ms"), 0.01, "the last arrival, whichever shard saw it");
        assertEquals(3L, m.get("broadcast_samples"));
        assertEquals(2.0, m.get("setup_wall_s"));
        assertEquals(2.0, m.get("connect_rate_per_s"), "4 connections in 2 s");
    }
}
