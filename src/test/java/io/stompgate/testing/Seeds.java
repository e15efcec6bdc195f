package io.stompgate.testing;

/**
 * The one way a randomized test gets its seed: a fresh one each run, or the one given with
 * {@code -Dstomp.seed=N} to replay a failure; and the one way a failing run names it, so
 * every seeded test is replayed the same way.
 */
public final class Seeds {

    /** The system property that replays a seed. */
    public static final String PROPERTY = "stomp.seed";

    private Seeds() {
    }

    /** {@code -Dstomp.seed=N} when given (a value that is not a number is an error, never ignored), else a fresh seed. */
    public static long seed() {
        String given = System.getProperty(PROPERTY);
        if (given == null || given.isBlank()) {
            return System.nanoTime() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
        }
        try {
            return Long.parseLong(given.trim());
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + given + " is not a seed (a long)", e);
        }
    }

    /** {@code seed=S (replay with -Dstomp.seed=S)}: what a failure message says about its seed. */
    public static String replay(long seed) {
        return "seed=" + seed + " (replay with -D" + PROPERTY + "=" + seed + ")";
    }

    /** A test body that takes its seed. */
    @FunctionalInterface
    public interface SeededTest {
        void run(long seed) throws Exception;
    }

    /**
     * Runs {@code test} with {@link #seed()}; if it fails in any way, the failure (an
     * {@link AssertionError} wrapping the original) and standard error say which seed and how
     * to replay it.
     */
    public static void withSeed(String what, SeededTest test) {
        long seed = seed();
        try {
            test.run(seed);
        }
        catch (Exception | AssertionError e) {
            String replay = what + " failed with " + replay(seed);
            System.err.println(replay);
            throw new AssertionError(replay, e);
        }
    }
}
