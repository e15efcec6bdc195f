package io.stompgate.broker;

import java.util.HashMap;
import java.util.Map;

/**
 * Relations between two topic patterns (dot-separated words, {@code *} one
 * word, {@code #} zero or more): whether two patterns share a key, and whether
 * one matches every key the other does. Authorization judges a wildcard
 * subscription as a whole with them, and history decides which subscriptions
 * lie wholly under a history pattern.
 */
public final class TopicPatterns {

    private TopicPatterns() {
    }

    /** Whether some key matches both patterns. */
    public static boolean overlap(String a, String b) {
        return new Overlap(a.split("\\.", -1), b.split("\\.", -1)).at(0, 0);
    }

    /** Whether {@code outer} matches every key that {@code inner} matches. */
    public static boolean covers(String outer, String inner) {
        return new Covers(inner.split("\\.", -1), outer.split("\\.", -1)).at(0, 0);
    }

    /** A walk over two word lists, position by position, remembering each answer (wildcards revisit positions). */
    private abstract static class Walk {
        private final Map<Long, Boolean> memo = new HashMap<>();

        final boolean at(int i, int j) {
            long k = ((long) i << 32) | j;
            Boolean known = memo.get(k);
            if (known != null) {
                return known;
            }
            boolean result = compute(i, j);
            memo.put(k, result);
            return result;
        }

        abstract boolean compute(int i, int j);
    }

    private static final class Overlap extends Walk {
        final String[] p;
        final String[] r;

        Overlap(String[] p, String[] r) {
            this.p = p;
            this.r = r;
        }

        @Override
        boolean compute(int i, int j) {
            if (i == p.length && j == r.length) {
                return true;
            }
            if (i < p.length && p[i].equals("#")) {
                return at(i + 1, j) || (j < r.length && at(i, j + 1));
            }
            if (j < r.length && r[j].equals("#")) {
                return at(i, j + 1) || (i < p.length && at(i + 1, j));
            }
            if (i == p.length || j == r.length) {
                return false;
            }
            return (p[i].equals("*") || r[j].equals("*") || p[i].equals(r[j])) && at(i + 1, j + 1);
        }
    }

    /** Inclusion: every key of {@code inner} is a key of {@code outer}. */
    private static final class Covers extends Walk {
        final String[] inner;
        final String[] outer;

        Covers(String[] inner, String[] outer) {
            this.inner = inner;
            this.outer = outer;
        }

        @Override
        boolean compute(int i, int j) {
            if (i == inner.length) {
                for (int x = j; x < outer.length; x++) {
                    if (!outer[x].equals("#")) {
                        return false;
                    }
                }
                return true;
            }
            if (j < outer.length && outer[j].equals("#")) {
                return at(i, j + 1) || at(i + 1, j);
            }
            if (inner[i].equals("#") || j == outer.length) {
                return false;
            }
            if (inner[i].equals("*")) {
                return outer[j].equals("*") && at(i + 1, j + 1);
            }
            return (outer[j].equals("*") || outer[j].equals(inner[i])) && at(i + 1, j + 1);
        }
    }
}
