package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class RoomPlanTest {

    /** Every room has exactly roomSize members on distinct connections; every connection K distinct rooms. */
    private static void checkMembership(RoomPlan p) {
        List<Set<Integer>> members = new ArrayList<>();
        for (int r = 0; r < p.rooms; r++) {
            members.add(new HashSet<>());
        }
        for (int c = 0; c < p.connections; c++) {
            Set<Integer> mine = new HashSet<>();
            for (int j = 0; j < p.perConnection; j++) {
                int room = p.room(c, j);
                assertTrue(mine.add(room), "connection " + c + " twice in room " + room);
                assertTrue(members.get(room).add(c));
            }
        }
        for (int r = 0; r < p.rooms; r++) {
            assertEquals(p.roomSize, members.get(r).size(), "room " + r);
        }
        // slots agree with (connection, subscription)
        for (long s = 0; s < p.slots(); s++) {
            assertEquals(p.slotRoom(s), p.room(p.slotConnection(s), p.slotSubscription(s)));
        }
    }

    @Test
    void theIssuesShape() {
        RoomPlan p = new RoomPlan(10_000, 10, 50, 2);
        assertEquals(2_000, p.connections);
        assertEquals(100_000, p.slots());
        checkMembership(p);
        // every room: 5 members on each node, so each node binds every room
        for (int r = 0; r < p.rooms; r++) {
            int[] perNode = new int[2];
            for (int m = 0; m < p.roomSize; m++) {
                perNode[p.node(p.slotConnection(r + (long) m * p.rooms))]++;
            }
            assertEquals(5, perNode[0], "room " + r);
            assertEquals(5, perNode[1], "room " + r);
        }
        assertEquals(20_000, p.roomNodePairs());
        // and the connections are split evenly over the nodes
        assertEquals(1_000, IntStream.range(0, p.connections).filter(c -> p.node(c) == 0).count());
    }

    @Test
    void unevenShapesStillGiveEveryRoomItsMembers() {
        checkMembership(new RoomPlan(7, 3, 3, 2)); // 21 slots over 7 connections; K does not divide the rooms
        checkMembership(new RoomPlan(10, 10, 10, 3));
        checkMembership(new RoomPlan(5, 1, 5, 1));
        RoomPlan one = new RoomPlan(100, 4, 20, 1);
        checkMembership(one);
        assertEquals(100, one.roomNodePairs());
        assertTrue(IntStream.range(0, one.connections).allMatch(c -> one.node(c) == 0));
    }

    @Test
    void refusesShapesThatDoNotAddUp() {
        assertThrows(IllegalArgumentException.class, () -> new RoomPlan(10, 3, 4, 1)); // 30 slots, K = 4
        assertThrows(IllegalArgumentException.class, () -> new RoomPlan(10, 10, 11, 1)); // K > rooms
        assertThrows(IllegalArgumentException.class, () -> new RoomPlan(0, 10, 1, 1));
    }

    @Test
    void openOrderIsAFixedPermutation() {
        RoomPlan p = new RoomPlan(10_000, 10, 50, 2);
        List<Integer> all = IntStream.range(0, p.connections).boxed().toList();
        List<Integer> a = p.openOrder(all);
        assertEquals(a, p.openOrder(all));
        assertEquals(new HashSet<>(all), new HashSet<>(a));
        assertEquals(all.size(), a.size());
        assertNotEquals(all, a);
    }

    @Test
    void optionsBuildThePlanAndCountItsConnections() {
        Options o = Options.parse(new String[] {"rooms", "--url", "ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws",
            "--rooms", "1000", "--room-size", "4", "--rooms-per-connection", "20"});
        o.resolve();
        assertEquals(200, o.roomPlan().connections);
        assertEquals(2, o.roomPlan().nodes);
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"rooms",
            "--rooms", "10", "--room-size", "3", "--rooms-per-connection", "4"}).resolve());
    }

    @Test
    void reportCountsLossAgainstReceiptedMembers() {
        Options o = Options.parse(new String[] {"rooms", "--rooms", "100", "--room-size", "4", "--rooms-per-connection", "20",
            "--duration", "10", "--rate", "50"});
        o.resolve();
        Result r = new Result();
        r.count("subscriptions_ok", 398);
        r.count("subscriptions_planned", 400);
        r.count("subscribe_ms", 2000);
        r.count("tool_processes", 1);
        r.count("sent_window", 500);
        r.count("expected_window", 1990);
        r.count("received_window", 1985);
        r.count("arrived_in_window", 2100); // backlog from the warm-up too
        Map<String, Object> m = Report.build(o, r, new Sampler(List.of()));
        assertEquals(2L, m.get("subscriptions_failed"));
        assertEquals(199.0, m.get("subscribe_per_s"));
        assertEquals(5L, m.get("lost"));
        assertEquals(210.0, m.get("delivered_per_s"));
    }
}
