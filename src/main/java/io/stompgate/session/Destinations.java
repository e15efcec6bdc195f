package io.stompgate.session;

import io.stompgate.broker.Address;
import io.stompgate.stomp.Utf8;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The STOMP destinations of docs/protocol.md §4, parsed into broker
 * addresses, with what each allows:
 *
 * <pre>
 * /topic/&lt;key&gt;                    SUBSCRIBE (patterns with * and #), SEND (concrete keys)
 * /user/queue/&lt;name&gt;              SUBSCRIBE only: the subscriber's own queue
 * /user/&lt;principal&gt;/queue/&lt;name&gt;  SEND only: every session of that principal
 * /queue/&lt;name&gt;                   SUBSCRIBE and SEND: competing consumers
 * /app/&lt;key&gt;                      SEND only: application backends
 * /presence/&lt;key&gt;                 SUBSCRIBE only: who subscribes to /topic/&lt;key&gt; (§9)
 * </pre>
 *
 * A principal in a destination is percent-decoded, so one that holds {@code /}
 * is written {@code %2F}.
 */
public final class Destinations {

    public static final String TOPIC = "/topic/";
    public static final String USER = "/user/";
    public static final String USER_QUEUE = "/user/queue/";
    public static final String QUEUE = "/queue/";
    public static final String APP = "/app/";
    public static final String PRESENCE = "/presence/";
    /**
     * Not a destination: a SEND here carries a fresh token for the session itself
     * (docs/protocol.md §11), and goes nowhere else.
     */
    public static final String SESSION_TOKEN = "/session/token";

    /**
     * Topic keys and principals travel as AMQP routing keys, at most 255 bytes. How long a
     * queue name may be is the broker's to say ({@code MessageBroker.maxQueueNameBytes()}):
     * it depends on the prefix it puts in front.
     */
    static final int MAX_KEY_BYTES = 255;
    /**
     * A user queue's name travels in an AMQP header, not as a queue name; it is held to the
     * length a shared queue's name has with the default prefix ({@code stomp.queue.}), so that
     * the same names work for both.
     */
    static final int MAX_USER_QUEUE_NAME_BYTES = 255 - "stomp.queue.".length();

    private Destinations() {
    }

    /**
     * @param maxQueueNameBytes the longest {@code /queue/<name>} the broker can carry, in UTF-8 bytes
     */
    public static Address forSubscribe(String destination, String principal, int maxQueueNameBytes) {
        if (destination.startsWith(TOPIC)) {
            return new Address.Topic(topicKey(destination, true));
        }
        if (destination.startsWith(USER_QUEUE)) {
            return new Address.User(principal,
                    queueName(destination, destination.substring(USER_QUEUE.length()), MAX_USER_QUEUE_NAME_BYTES));
        }
        if (destination.startsWith(USER)) {
            throw refused(destination, "SUBSCRIBE to another user's destination '" + abbreviate(destination)
                    + "' is not allowed; subscribe to /user/queue/<name>");
        }
        if (destination.startsWith(QUEUE)) {
            return new Address.Queue(queueName(destination, destination.substring(QUEUE.length()), maxQueueNameBytes));
        }
        if (destination.startsWith(APP)) {
            throw refused(destination, "SUBSCRIBE to '" + abbreviate(destination) + "' is not allowed; /app is for SEND");
        }
        throw unknown(destination);
    }

    /**
     * @param maxQueueNameBytes the longest {@code /queue/<name>} the broker can carry, in UTF-8 bytes
     */
    public static Address forSend(String destination, int maxQueueNameBytes) {
        if (destination.startsWith(TOPIC)) {
            return new Address.Topic(topicKey(destination, false));
        }
        if (destination.startsWith(USER_QUEUE)) {
            throw refused(destination, "SEND to '" + abbreviate(destination)
                    + "' is not allowed; send to /user/<principal>/queue/<name>");
        }
        if (destination.startsWith(USER)) {
            String rest = destination.substring(USER.length());
            int slash = rest.indexOf('/');
            if (slash <= 0 || !rest.startsWith("queue/", slash + 1)) {
                throw unknown(destination);
            }
            String user = decodePrincipal(destination, rest.substring(0, slash));
            return new Address.User(user,
                    queueName(destination, rest.substring(slash + "/queue/".length()), MAX_USER_QUEUE_NAME_BYTES));
        }
        if (destination.startsWith(QUEUE)) {
            return new Address.Queue(queueName(destination, destination.substring(QUEUE.length()), maxQueueNameBytes));
        }
        if (destination.startsWith(APP)) {
            return new Address.App(topicKey(destination, false, APP));
        }
        throw unknown(destination);
    }

    /** Whether {@code destination} is a {@code /presence/<key>} watch. */
    public static boolean isPresence(String destination) {
        return destination.startsWith(PRESENCE);
    }

    /**
     * The topic key of a {@code /presence/<key>} SUBSCRIBE: concrete (no wildcard), as a
     * {@code /topic/<key>} SEND's.
     */
    static String presenceKey(String destination) {
        String key = topicKey(destination, true, PRESENCE);
        if (!isConcrete(key)) {
            throw refused(destination, "a presence key must be concrete, without wildcards: '" + abbreviate(destination) + "'");
        }
        return key;
    }

    /** Whether a topic key holds no wildcard word ({@code *} or {@code #}). */
    static boolean isConcrete(String key) {
        for (String word : key.split("\\.", -1)) {
            if (word.equals("*") || word.equals("#")) {
                return false;
            }
        }
        return true;
    }

    /** The destination a subscriber of {@code address} sees in its MESSAGE frames, for a concrete message. */
    public static String userQueueDestination(String queue) {
        return USER_QUEUE + queue;
    }

    private static String topicKey(String destination, boolean patternAllowed) {
        return topicKey(destination, patternAllowed, TOPIC);
    }

    private static String topicKey(String destination, boolean patternAllowed, String prefix) {
        String key = destination.substring(prefix.length());
        if (key.isEmpty()) {
            throw refused(destination, "destination '" + destination + "' has an empty key");
        }
        if (Utf8.encodedLength(key) > MAX_KEY_BYTES) {
            throw refused(destination, "the key of destination '" + abbreviate(destination) + "' is longer than 255 bytes");
        }
        if (!patternAllowed) {
            for (String word : key.split("\\.", -1)) {
                if (word.equals("*") || word.equals("#")) {
                    throw refused(destination, "cannot SEND to wildcard destination '" + destination + "'");
                }
            }
        }
        return key;
    }

    private static String queueName(String destination, String name, int maxBytes) {
        if (name.isEmpty()) {
            throw refused(destination, "destination '" + destination + "' has an empty queue name");
        }
        if (name.indexOf('/') >= 0) {
            throw unknown(destination);
        }
        if (Utf8.encodedLength(name) > maxBytes) {
            throw refused(destination, "the queue name of destination '" + abbreviate(destination)
                    + "' is too long: the broker takes at most " + maxBytes + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '*' || c == '#') {
                // A queue name is literal: a wildcard would only make a queue named '*'.
                throw refused(destination, "a queue name cannot hold the wildcard '" + c + "': '" + abbreviate(destination) + "'");
            }
            if (Character.isISOControl(c)) {
                throw refused(destination, "a queue name cannot hold control characters: '" + abbreviate(destination) + "'");
            }
        }
        return name;
    }

    private static String decodePrincipal(String destination, String encoded) {
        try {
            String user = URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (user.isEmpty() || Utf8.encodedLength(user) > MAX_KEY_BYTES) {
                throw unknown(destination);
            }
            return user;
        }
        catch (IllegalArgumentException e) {
            throw refused(destination, "destination '" + abbreviate(destination) + "' has a malformed percent-encoded principal");
        }
    }

    private static StompProtocolException unknown(String destination) {
        return refused(destination, "unknown destination '" + abbreviate(destination)
                + "'; use /topic/<key>, /queue/<name>, /user/queue/<name>, /user/<principal>/queue/<name> or /app/<key>");
    }

    private static StompProtocolException refused(String destination, String message) {
        return new StompProtocolException(ErrorReason.DESTINATION, message);
    }

    static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
