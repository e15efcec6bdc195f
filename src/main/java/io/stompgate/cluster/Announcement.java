package io.stompgate.cluster;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a node tells every node, itself included, each announce interval and on every
 * change of its state. On the wire, JSON:
 * {@code {"node":"gw-1","sessions":30,"state":"ready","sentAt":1717000000000}}
 * ({@code sentAt}: the sender's clock, epoch milliseconds, for logs only; receivers
 * time members by their own clock). Fields a reader does not know are ignored, so a
 * later version may add some.
 */
public record Announcement(String node, int sessions, MemberState state, long sentAt) {

    /** The node message kind announcements travel as. */
    public static final String KIND = "announce";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** As {@code gateway.node-id}: anything else cannot be a gateway node. */
    private static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public Announcement {
        if (node == null || !NODE_ID.matcher(node).matches()) {
            throw new IllegalArgumentException("an announcement names its node as gateway.node-id does");
        }
        if (sessions < 0) {
            throw new IllegalArgumentException("sessions must not be negative, was " + sessions);
        }
        if (state == null) {
            throw new IllegalArgumentException("an announcement has a state");
        }
    }

    public byte[] toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("node", node);
        json.put("sessions", sessions);
        json.put("state", state.text());
        json.put("sentAt", sentAt);
        return JSON.writeValueAsBytes(json);
    }

    /**
     * Reads an announcement.
     *
     * @throws IllegalArgumentException saying what is wrong, for anything but a well-formed one
     */
    public static Announcement fromJson(byte[] body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        }
        catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode node = json.get("node");
        JsonNode sessions = json.get("sessions");
        JsonNode state = json.get("state");
        JsonNode sentAt = json.get("sentAt");
        if (node == null || !node.isString()) {
            throw new IllegalArgumentException("no 'node' string");
        }
        if (sessions == null || !sessions.isIntegralNumber() || !sessions.canConvertToInt()) {
            throw new IllegalArgumentException("no 'sessions' integer");
        }
        MemberState parsed = state == null || !state.isString() ? null : MemberState.parse(state.stringValue());
        if (parsed == null) {
            throw new IllegalArgumentException("no 'state' of starting, ready or draining");
        }
        long sent = sentAt != null && sentAt.isIntegralNumber() && sentAt.canConvertToLong() ? sentAt.longValue() : 0;
        return new Announcement(node.stringValue(), sessions.intValue(), parsed, sent);
    }
}
