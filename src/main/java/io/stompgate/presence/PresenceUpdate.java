package io.stompgate.presence;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One presence node message: what one node reports of its own sessions. A
 * {@link Kind#DELTA} sets one user's session count on one key (0: gone); a
 * {@link Kind#DIGEST} is the node's whole view, replacing what others hold of
 * it; a {@link Kind#BYE} says the node leaves. {@code epoch} changes each time a
 * node starts and {@code seq} grows with each message, so a receiver applies
 * only what is newer than what it has of that node.
 *
 * @param entries for a DELTA one key with one user; for a DIGEST every key with
 *                its users and their session counts; empty for a BYE
 */
record PresenceUpdate(Kind kind, long epoch, long seq, Map<String, Map<String, Integer>> entries) {

    enum Kind { DELTA, DIGEST, BYE }

    private static final int VERSION = 1;
    /** Longest string read back (keys are at most 255 bytes; principals far shorter than this). */
    private static final int MAX_STRING_BYTES = 64 * 1024;

    static PresenceUpdate delta(long epoch, long seq, String key, String user, int sessions) {
        return new PresenceUpdate(Kind.DELTA, epoch, seq, Map.of(key, Map.of(user, sessions)));
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(kind.ordinal());
            out.writeLong(epoch);
            out.writeLong(seq);
            out.writeInt(entries.size());
            for (Map.Entry<String, Map<String, Integer>> key : entries.entrySet()) {
                writeString(out, key.getKey());
                out.writeInt(key.getValue().size());
                for (Map.Entry<String, Integer> user : key.getValue().entrySet()) {
                    writeString(out, user.getKey());
                    out.writeInt(user.getValue());
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param maxEntries the most (key, user) entries taken from one message; the rest are dropped
     * @throws IllegalArgumentException when {@code body} is not a presence message of this version
     */
    static PresenceUpdate decode(byte[] body, int maxEntries) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            if (in.readByte() != VERSION) {
                throw new IllegalArgumentException("unknown presence message version");
            }
            int kind = in.readByte();
            if (kind < 0 || kind >= Kind.values().length) {
                throw new IllegalArgumentException("unknown presence message kind " + kind);
            }
            long epoch = in.readLong();
            long seq = in.readLong();
            int keys = in.readInt();
            Map<String, Map<String, Integer>> entries = new HashMap<>();
            int taken = 0;
            for (int k = 0; k < keys; k++) {
                String key = readString(in);
                int users = in.readInt();
                Map<String, Integer> byUser = new HashMap<>();
                for (int u = 0; u < users; u++) {
                    String user = readString(in);
                    int sessions = in.readInt();
                    if (taken < maxEntries && sessions >= 0) {
                        byUser.put(user, sessions);
                        taken++;
                    }
                }
                if (!byUser.isEmpty()) {
                    entries.put(key, byUser);
                }
            }
            return new PresenceUpdate(Kind.values()[kind], epoch, seq, entries);
        }
        catch (IOException e) {
            throw new IllegalArgumentException("truncated presence message", e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING_BYTES) {
            throw new IOException("string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
