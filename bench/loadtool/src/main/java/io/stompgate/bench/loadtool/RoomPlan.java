package io.stompgate.bench.loadtool;

import java.util.ArrayList;
import java.util.List;

/**
 * Who is in which room, for the {@code rooms} scenario: {@code rooms} rooms of {@code roomSize}
 * members, each connection a member of {@code perConnection} rooms, so there are
 * {@code rooms × roomSize ÷ perConnection} connections.
 *
 * <p>Membership is a list of slots {@code s = 0 .. rooms × roomSize - 1}: slot s is room
 * {@code s mod rooms}, held by connection {@code s ÷ perConnection} as its subscription
 * {@code s mod perConnection}. Room r thus has the slots {@code r, r + rooms, r + 2·rooms, ...}:
 * exactly {@code roomSize} members, on distinct connections (consecutive slots of a room are
 * {@code rooms ≥ perConnection} apart). Slots {@code m·rooms .. (m+1)·rooms - 1} are "layer" m, one
 * member of every room; a connection's node is its layer modulo the number of nodes, so every room's
 * members alternate over the nodes (exactly when {@code perConnection} divides {@code rooms}) and
 * every node holds a subscription to nearly every room, as when members join from anywhere.
 */
final class RoomPlan {

    final int rooms;
    final int roomSize;
    final int perConnection;
    final int nodes;
    final int connections;

    RoomPlan(int rooms, int roomSize, int perConnection, int nodes) {
        if (rooms < 1 || roomSize < 1 || perConnection < 1 || nodes < 1) {
            throw new IllegalArgumentException("--rooms, --room-size and --rooms-per-connection must be positive");
        }
        if (perConnection > rooms) {
            throw new IllegalArgumentException("--rooms-per-connection " + perConnection + " exceeds --rooms " + rooms);
        }
        long slots = (long) rooms * roomSize;
        if (slots % perConnection != 0) {
            throw new IllegalArgumentException("--rooms x --room-size (" + slots + ") must be a multiple of "
                    + "--rooms-per-connection (" + perConnection + ")");
        }
        if (slots / perConnection > Options.MAX_CONNECTIONS) {
            throw new IllegalArgumentException(slots / perConnection + " connections exceed " + Options.MAX_CONNECTIONS);
        }
        this.rooms = rooms;
        this.roomSize = roomSize;
        this.perConnection = perConnection;
        this.nodes = nodes;
        this.connections = (int) (slots / perConnection);
    }

    long slots() {
        return (long) rooms * roomSize;
    }

    /** The room of connection {@code c}'s subscription {@code j} (0 ≤ j &lt; perConnection). */
    int room(int c, int j) {
        return (int) (((long) c * perConnection + j) % rooms);
    }

    /** The node index (into the --url list) connection {@code c} connects to. */
    int node(int c) {
        return (int) (((long) c * perConnection / rooms) % nodes);
    }

    /** Room of slot {@code s}. */
    int slotRoom(long s) {
        return (int) (s % rooms);
    }

    /** Connection of slot {@code s}. */
    int slotConnection(long s) {
        return (int) (s / perConnection);
    }

    /** Subscription index, within its connection, of slot {@code s}. */
    int slotSubscription(long s) {
        return (int) (s % perConnection);
    }

    /**
     * How many distinct (room, node) pairs the plan has: the topic bindings a gateway that binds once
     * per pattern per node needs in all.
     */
    long roomNodePairs() {
        long n = 0;
        boolean[] seen = new boolean[nodes];
        for (int r = 0; r < rooms; r++) {
            java.util.Arrays.fill(seen, false);
            for (int m = 0; m < roomSize; m++) {
                int node = node(slotConnection(r + (long) m * rooms));
                if (!seen[node]) {
                    seen[node] = true;
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * The order to open and subscribe {@code indexes} (connections) in: a shuffle with a fixed seed, so
     * that members join rooms in no particular order (neither all of a room's members at once, the
     * best case for a gateway that binds once per pattern, nor every room's first member first, the
     * worst) and every run does the same.
     */
    List<Integer> openOrder(List<Integer> indexes) {
        List<Integer> order = new ArrayList<>(indexes);
        java.util.Collections.shuffle(order, new java.util.Random(17));
        return order;
    }
}
