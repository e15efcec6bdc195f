package io.stompgate.presence;

import java.util.Map;

/**
 * The JSON bodies of docs/protocol.md §9, written by hand: two small fixed shapes
 * need no JSON library, only correct string escaping.
 */
public final class PresenceJson {

    private PresenceJson() {
    }

    /** {@code {"destination":"/topic/<key>","users":[{"user":"alice","sessions":2}]}}, users in name order. */
    public static String snapshot(String key, Map<String, Integer> users) {
        StringBuilder json = new StringBuilder(64 + users.size() * 32).append("{\"destination\":");
        string(json, "/topic/" + key).append(",\"users\":[");
        boolean first = true;
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(users).entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append("{\"user\":");
            string(json, e.getKey()).append(",\"sessions\":").append(e.getValue()).append('}');
        }
        return json.append("]}").toString();
    }

    /** {@code {"destination":"/topic/<key>","user":"alice"}}: a join or a leave. */
    public static String event(String key, String user) {
        StringBuilder json = new StringBuilder(48 + key.length() + user.length()).append("{\"destination\":");
        string(json, "/topic/" + key).append(",\"user\":");
        return string(json, user).append('}').toString();
    }

    static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
