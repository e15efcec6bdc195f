package io.stompgate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.broker.TopicMatcher;
import io.stompgate.testing.Seeds;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Topic matching as RabbitMQ's topic exchange does it, through the node's trie. */
class TopicTrieTest {

    /** A trie holding {@code patterns}, each as its own value. */
    static TopicTrie<String> trieOf(String... patterns) {
        TopicTrie<String> trie = new TopicTrie<>();
        for (String p : patterns) {
            trie.put(p, new String(p));
        }
        return trie;
    }

    static boolean matches(String pattern, String key) {
        return !trieOf(pattern).match(key).isEmpty();
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
            // * is exactly one word
            "a.*,     a.b,      true",
            "a.*,     a,        false",
            "a.*,     a.b.c,    false",
            "*.b,     a.b,      true",
            "*,       word,     true",
            "*.*,     a.b,      true",
            "*.*,     a,        false",
            // # is zero or more words
            "a.#,     a,        true",
            "a.#,     a.b,      true",
            "a.#,     a.b.c,    true",
            "a.#,     b.a,      false",
            "#.b,     b,        true",
            "#.b,     a.b,      true",
            "#.b,     x.y.b,    true",
            "#.b,     b.c,      false",
            "a.#.b,   a.b,      true",
            "a.#.b,   a.x.y.b,  true",
            "a.#.b,   a.x.y,    false",
            "#,       a,        true",
            "#,       a.b.c.d,  true",
            "#.#,     a,        true",
            "*.#.*,   a.b,      true",
            "*.#.*,   a,        false",
            "#.*,     a,        true",
            // words are compared whole
            "a.b,     a.b,      true",
            "a.b,     a.bc,     false",
            "a.b,     ab,       false",
            "a.b,     a.b.c,    false",
            // empty words are words
            "a..b,    a..b,     true",
            "a..b,    a.b,      false",
            "a.*.b,   a..b,     true",
            "a.#,     a.,       true",
            "*.*,     .,        true",
            "#.b,     .b,       true"})
    void matchesLikeARabbitMqTopicExchange(String pattern, String key, boolean expected) {
        assertThat(matches(pattern, key)).isEqualTo(expected);
        assertThat(TopicMatcher.matches(pattern, key)).as("TopicMatcher agrees").isEqualTo(expected);
    }

    @Test
    void hashMatchesEveryKey() {
        TopicTrie<String> trie = trieOf("#");
        for (String key : List.of("a", "a.b", "x.y.z.w", "a..b", ".")) {
            assertThat(trie.match(key)).as(key).containsExactly("#");
        }
    }

    @Test
    void eachMatchingPatternIsReturnedOnceEvenWhenItMatchesSeveralWays() {
        String[] patterns = {"#", "#.#", "#.#.#", "a.#", "#.a", "#.a.#", "*.#", "#.*", "a.a.a", "a.*.a", "b.#"};
        TopicTrie<String> trie = trieOf(patterns);

        List<String> matched = trie.match("a.a.a");

        assertThat(matched).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder("#", "#.#", "#.#.#", "a.#", "#.a", "#.a.#", "*.#", "#.*", "a.a.a", "a.*.a");
    }

    @Test
    void putReplacesGetFindsRemoveForgets() {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.put("a.*", "first");
        trie.put("a.*", "second");
        trie.put("a.#", "hash");

        assertThat(trie.size()).isEqualTo(2);
        assertThat(trie.get("a.*")).isEqualTo("second");
        assertThat(trie.get("a")).as("a prefix of a pattern is not a pattern").isNull();
        assertThat(trie.remove("a")).isNull();
        assertThat(trie.remove("a.*")).isEqualTo("second");
        assertThat(trie.remove("a.*")).isNull();
        assertThat(trie.size()).isEqualTo(1);
        assertThat(trie.match("a.b")).containsExactly("hash");
    }

    @Test
    void removePrunesBranchesThatHoldNoPattern() {
        TopicTrie<String> trie = trieOf("a.b.c", "a.b", "a.x.#");
        assertThat(nodeCount(trie)).isEqualTo(6); // root, a, b, c, x, #

        trie.remove("a.b.c");
        assertThat(nodeCount(trie)).isEqualTo(5);
        assertThat(trie.match("a.b")).containsExactly("a.b");

        trie.remove("a.b");
        assertThat(nodeCount(trie)).isEqualTo(4);

        trie.remove("a.x.#");
        assertThat(nodeCount(trie)).as("only the root is left").isEqualTo(1);
        assertThat(trie.size()).isZero();
        assertThat(trie.match("a.x.y")).isEmpty();
    }

    @Test
    void removingAPrefixPatternKeepsTheLongerOnes() {
        TopicTrie<String> trie = trieOf("a", "a.b.c");

        trie.remove("a");

        assertThat(nodeCount(trie)).isEqualTo(4);
        assertThat(trie.match("a.b.c")).containsExactly("a.b.c");
        assertThat(trie.match("a")).isEmpty();
    }

    @Test
    void randomPatternsMatchExactlyWhatTopicMatcherMatches() {
        Seeds.withSeed("TopicTrie vs TopicMatcher", seed -> {
            Random random = new Random(seed);
            String[] words = {"a", "b", "c", ""};
            for (int round = 0; round < 50; round++) {
                TopicTrie<String> trie = new TopicTrie<>();
                Set<String> patterns = new HashSet<>();
                for (int i = 0; i < 40; i++) {
                    String pattern = randomKey(random, words, true);
                    if (patterns.add(pattern)) {
                        trie.put(pattern, pattern);
                    }
                }
                for (int i = 0; i < 10; i++) {
                    String gone = randomKey(random, words, true);
                    if (patterns.remove(gone)) {
                        assertThat(trie.remove(gone)).isEqualTo(gone);
                    }
                }
                assertThat(trie.size()).isEqualTo(patterns.size());
                for (int i = 0; i < 200; i++) {
                    String key = randomKey(random, words, false);
                    List<String> expected = patterns.stream().filter(p -> TopicMatcher.matches(p, key)).toList();
                    List<String> actual = trie.match(key);
                    assertThat(actual).as("patterns matching '%s' among %s", key, patterns)
                            .doesNotHaveDuplicates()
                            .containsExactlyInAnyOrderElementsOf(expected);
                }
            }
        });
    }

    private static String randomKey(Random random, String[] words, boolean wildcards) {
        int n = 1 + random.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            int pick = random.nextInt(words.length + (wildcards ? 2 : 0));
            sb.append(pick < words.length ? words[pick] : pick == words.length ? "*" : "#");
        }
        return sb.toString();
    }

    /** Nodes reachable from the root, the root included: the trie's only observable memory. */
    private static int nodeCount(TopicTrie<?> trie) {
        try {
            Field root = TopicTrie.class.getDeclaredField("root");
            root.setAccessible(true);
            return count(root.get(trie), new IdentityHashMap<>());
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError("TopicTrie's layout changed; update this test", e);
        }
    }

    /** A key's words are what splitting at every dot gives, empty words at either end or between dots included. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"a|a", "a.b.c|a,b,c", "a..b|a,,b", ".a.|,a,", "''|''", "..|,,"})
    void aKeyIsSplitAtEveryDotKeepingEmptyWords(String key, String expected) {
        assertThat(TopicTrie.words(key)).containsExactly(expected.split(",", -1));
    }

    @Test
    void wordsMatchARegexSplitOnRandomKeys() {
        Seeds.withSeed("TopicTrie.words vs String.split", seed -> {
            Random random = new Random(seed);
            for (int i = 0; i < 2_000; i++) {
                StringBuilder key = new StringBuilder();
                for (int c = random.nextInt(12); c > 0; c--) {
                    key.append(random.nextInt(3) == 0 ? '.' : (char) ('a' + random.nextInt(3)));
                }
                assertThat(TopicTrie.words(key.toString())).as("'%s'", key)
                        .containsExactly(key.toString().split("\\.", -1));
            }
        });
    }

    private static int count(Object node, Map<Object, Boolean> seen) throws ReflectiveOperationException {
        if (seen.put(node, Boolean.TRUE) != null) {
            throw new AssertionError("a trie node is reachable twice");
        }
        Field childrenField = node.getClass().getDeclaredField("children");
        childrenField.setAccessible(true);
        Map<?, ?> children = (Map<?, ?>) childrenField.get(node);
        int n = 1;
        if (children != null) {
            for (Object child : new ArrayList<>(children.values())) {
                n += count(child, seen);
            }
        }
        return n;
    }
}
