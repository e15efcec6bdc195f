package io.stompgate.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topic patterns, matched the way RabbitMQ's topic exchange matches them: keys
 * and patterns are dot-separated words, {@code *} matches exactly one word and
 * {@code #} zero or more. A trie, so matching a key costs its words, not the
 * number of patterns.
 *
 * <p>Writers must hold an external lock; {@link #match} may run concurrently
 * with them and sees each pattern either before or after a change.
 */
final class TopicTrie<V> {

    private static final String STAR = "*";
    private static final String HASH = "#";

    private final Node<V> root = new Node<>(null, null);
    private int size;

    V get(String pattern) {
        Node<V> node = root;
        for (String word : words(pattern)) {
            node = node.child(word);
            if (node == null) {
                return null;
            }
        }
        return node.value;
    }

    void put(String pattern, V value) {
        Node<V> node = root;
        for (String word : words(pattern)) {
            node = node.childOrCreate(word);
        }
        if (node.value == null) {
            size++;
        }
        node.value = value;
    }

    V remove(String pattern) {
        Node<V> node = root;
        for (String word : words(pattern)) {
            node = node.child(word);
            if (node == null) {
                return null;
            }
        }
        V old = node.value;
        if (old != null) {
            size--;
            node.value = null;
            prune(node);
        }
        return old;
    }

    int size() {
        return size;
    }

    /** The values of every pattern that matches {@code key}, each once. */
    List<V> match(String key) {
        List<V> out = new ArrayList<>(2);
        match(root, words(key), 0, out);
        return out;
    }

    private static <V> void match(Node<V> node, String[] words, int i, List<V> out) {
        Node<V> hash = node.child(HASH);
        if (hash != null) {
            for (int j = i; j <= words.length; j++) {
                match(hash, words, j, out);
            }
        }
        if (i == words.length) {
            V value = node.value;
            if (value != null && !containsIdentity(out, value)) {
                out.add(value);
            }
            return;
        }
        Node<V> exact = node.child(words[i]);
        if (exact != null) {
            match(exact, words, i + 1, out);
        }
        Node<V> star = node.child(STAR);
        if (star != null && star != exact) {
            match(star, words, i + 1, out);
        }
    }

    private static <V> boolean containsIdentity(List<V> list, V value) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == value) {
                return true;
            }
        }
        return false;
    }

    private void prune(Node<V> node) {
        while (node.parent != null && node.value == null && (node.children == null || node.children.isEmpty())) {
            node.parent.children.remove(node.word);
            node = node.parent;
        }
    }

    /** The key's words, empty ones included ({@code "a..b"} has three); no regex on the delivery path. */
    static String[] words(String key) {
        int count = 1;
        for (int i = key.indexOf('.'); i >= 0; i = key.indexOf('.', i + 1)) {
            count++;
        }
        String[] words = new String[count];
        int start = 0;
        for (int w = 0; w < count - 1; w++) {
            int dot = key.indexOf('.', start);
            words[w] = key.substring(start, dot);
            start = dot + 1;
        }
        words[count - 1] = key.substring(start);
        return words;
    }

    private static final class Node<V> {
        final Node<V> parent;
        final String word;
        volatile ConcurrentHashMap<String, Node<V>> children;
        volatile V value;

        Node(Node<V> parent, String word) {
            this.parent = parent;
            this.word = word;
        }

        Node<V> child(String w) {
            ConcurrentHashMap<String, Node<V>> c = children;
            return c == null ? null : c.get(w);
        }

        Node<V> childOrCreate(String w) {
            ConcurrentHashMap<String, Node<V>> c = children;
            if (c == null) {
                c = new ConcurrentHashMap<>(2);
                children = c;
            }
            return c.computeIfAbsent(w, k -> new Node<>(this, k));
        }
    }
}
