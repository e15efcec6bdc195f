package io.stompgate.testing;

import java.util.function.LongConsumer;

/**
 * Seeds for randomized tests: a fresh one each run, or the one given with
 * {@code -Dstomp.seed=N} to replay a failure. A failing run names its seed.
 */
public final class Seeds {

    private Seeds() {
    }

    public static long seed() {
        Long given = Long.getLong("stomp.seed");
        return given != null ? given : System.nanoTime() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    }

    /** Runs {@code test} with a seed; on failure the error says which seed and how to replay it. */
    public static void withSeed(String what, LongConsumer test) {
        long seed = seed();
        try {
            test.accept(seed);
        }
        catch (AssertionError | RuntimeException e) {
            String replay = what + " failed with seed " + seed + "; replay with -Dstomp.seed=" + seed;
            System.err.println(replay);
            throw new AssertionError(replay, e);
        }
    }
}
