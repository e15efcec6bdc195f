package io.stompgate.broker;

/**
 * RabbitMQ topic-exchange matching for one pattern and one key: dot-separated
 * words, {@code *} matches exactly one word, {@code #} zero or more. For the odd
 * match against a few patterns; nodes index many patterns in a trie instead.
 */
public final class TopicMatcher {

    private TopicMatcher() {
    }

    public static boolean matches(String pattern, String key) {
        return matches(pattern.split("\\.", -1), 0, key.split("\\.", -1), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] key, int k) {
        if (p == pattern.length) {
            return k == key.length;
        }
        String word = pattern[p];
        if (word.equals("#")) {
            for (int skip = k; skip <= key.length; skip++) {
                if (matches(pattern, p + 1, key, skip)) {
                    return true;
                }
            }
            return false;
        }
        if (k == key.length) {
            return false;
        }
        return (word.equals("*") || word.equals(key[k])) && matches(pattern, p + 1, key, k + 1);
    }
}
