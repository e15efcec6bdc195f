package io.stompgate.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes Netty buffer leaks visible to tests. Netty only logs a leak when the
 * garbage collector finds an unreleased buffer; this installs a
 * {@link ResourceLeakDetectorFactory} whose detectors also record every report,
 * so a test can fail on them ({@link #leaks()}).
 *
 * <p>The factory must be in place before Netty creates its detectors (in static
 * initialisers, such as {@code AbstractByteBuf}'s), so this class is a JUnit
 * extension registered through {@code META-INF/services} with extension
 * autodetection on ({@code junit-platform.properties}): JUnit instantiates it when
 * the engine starts, before any test class, Spring context or Netty buffer.
 * {@link #canaryReported()} proves the installation worked.
 */
public final class NettyLeakRecorder implements BeforeAllCallback {

    /** A hint touched on the deliberately leaked canary buffer, so its report can be told apart. */
    public static final String CANARY_HINT = "stompgate-test-leak-canary";

    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Installing happens in the static initialiser; nothing to do per class.
    }

    /** Every leak reported so far, canary excluded: resource type and access records. */
    public static List<String> leaks() {
        synchronized (LEAKS) {
            return LEAKS.stream().filter(l -> !l.contains(CANARY_HINT)).toList();
        }
    }

    /** Whether the deliberately leaked canary has been reported (so detection works and has run). */
    public static boolean canaryReported() {
        synchronized (LEAKS) {
            return LEAKS.stream().anyMatch(l -> l.contains(CANARY_HINT));
        }
    }

    /** Allocates a tracked buffer and drops it unreleased, marked with {@link #CANARY_HINT}. */
    public static void leakCanary() {
        ByteBuf canary = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        canary.touch(CANARY_HINT);
        canary.writeByte(1);
    }

    /**
     * Lets the detectors look for leaks: collects garbage, then allocates and
     * releases tracked buffers, since detectors report when a new buffer is tracked.
     */
    public static void collectAndProbe() {
        System.gc();
        System.runFinalization();
        for (ByteBufAllocator allocator : List.of(PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT)) {
            for (int i = 0; i < 64; i++) {
                allocator.directBuffer(32).release();
                allocator.heapBuffer(32).release();
            }
        }
    }

    private static void record(String leak) {
        synchronized (LEAKS) {
            LEAKS.add(leak);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        /** Report even when the ERROR log level is off for Netty's logger. */
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK (untraced): " + resourceType);
            super.reportUntracedLeak(resourceType);
        }
    }
}
