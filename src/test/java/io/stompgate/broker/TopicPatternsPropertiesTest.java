package io.stompgate.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded: overlap agrees with brute force, and coverage never claims more than brute force finds, over
 * every key of up to five words from a small alphabet. The seed is printed on
 * failure and replayed with {@code -Dstomp.seed=...}.
 */
class TopicPatternsPropertiesTest {

    private static final String[] TOKENS = {"a", "b", "c", "*", "#"};
    private static final List<String> KEYS = keys();

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        List<String> level = List.of("");
        for (int length = 1; length <= 5; length++) {
            List<String> next = new ArrayList<>();
            for (String prefix : level) {
                for (String w : new String[] {"a", "b", "c", "d"}) {
                    next.add(prefix.isEmpty() ? w : prefix + "." + w);
                }
            }
            keys.addAll(next);
            level = next;
        }
        return keys;
    }

    private static String pattern(Random random) {
        int n = 1 + random.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(TOKENS[random.nextInt(TOKENS.length)]);
        }
        return sb.toString();
    }

    @Test
    void overlapAndCoverageAgreeWithBruteForce() {
        Seeds.withSeed("TopicPatterns vs brute force", seed -> {
            Random random = new Random(seed);
            for (int c = 0; c < 2_000; c++) {
                String p = pattern(random);
                String q = pattern(random);
                boolean anyBoth = false;
                boolean allOfQInP = true;
                for (String key : KEYS) {
                    boolean inP = TopicMatcher.matches(p, key);
                    boolean inQ = TopicMatcher.matches(q, key);
                    anyBoth |= inP && inQ;
                    if (inQ && !inP) {
                        allOfQInP = false;
                    }
                }
                String where = Seeds.replay(seed) + " case=" + c + " p=" + p + " q=" + q;
                assertThat(TopicPatterns.overlap(p, q)).as(where + " overlap").isEqualTo(anyBoth);
                if (TopicPatterns.covers(p, q)) {
                    // Coverage may be conservative (it reasons over word sequences including the empty one, which no
                    // key is), never generous: a "covers" that is wrong would let a rule decide keys it does not match.
                    assertThat(allOfQInP).as(where + " covers").isTrue();
                }
            }
        });
    }
}
