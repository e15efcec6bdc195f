package io.stompgate.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.stompgate.stomp.DecodeResult;
import io.stompgate.stomp.FrameAccumulator;
import io.stompgate.stomp.StompCommand;
import io.stompgate.stomp.StompDecoder;
import io.stompgate.stomp.StompEncoder;
import io.stompgate.stomp.StompFrame;
import io.stompgate.stomp.StompHeaders;
import io.stompgate.stomp.StompLimits;
import io.stompgate.stomp.StompVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding and encoding one typical STOMP 1.2 MESSAGE frame (247 bytes: five
 * headers and a 100-byte JSON body), the unit of work of every delivery.
 *
 * <p>Run with {@code mvn -q -B test-compile exec:exec -Dexec.args="-classpath %classpath
 * org.openjdk.jmh.Main -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc CodecBenchmark"}: the pom passes
 * {@code -Djmh.args} to JMH as one single argument, which JMH cannot parse when it holds spaces.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

    private static final String BODY =
            "{\"symbol\":\"ACME\",\"bid\":101.25,\"ask\":101.27,\"volume\":18250,\"ts\":1718000000123,\"venue\":\"XPAR\",\"seq\":7}";

    private StompFrame message;
    private byte[] wire;
    private ByteBuf reused;

    @Setup
    public void setUp() {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        message = new StompFrame(StompCommand.MESSAGE, StompHeaders.of(
                StompHeaders.DESTINATION, "/topic/prices.eu.acme",
                StompHeaders.SUBSCRIPTION, "sub-0",
                StompHeaders.MESSAGE_ID, "node-a-1718000000123-42",
                StompHeaders.CONTENT_TYPE, "application/json",
                StompHeaders.CONTENT_LENGTH, String.valueOf(body.length)), body);
        wire = StompEncoder.encode(message, StompVersion.V1_2);
        reused = Unpooled.buffer(512);
        DecodeResult check = StompDecoder.decode(wire, 0, wire.length, StompVersion.V1_2, StompLimits.DEFAULTS);
        if (!(check instanceof DecodeResult.Frame f) || !f.frame().equals(message) || body.length != 100) {
            throw new IllegalStateException("benchmark frame does not round-trip: " + check);
        }
    }

    @TearDown
    public void tearDown() {
        reused.release();
    }

    /** One WebSocket message holding one frame, through a session's accumulator. */
    @Benchmark
    public void decodeWithAccumulator(Blackhole bh) {
        // The accumulator takes ownership of the chunk but only reads it when the chunk is
        // exactly one whole frame, so sharing the array between operations is safe here.
        FrameAccumulator accumulator = new FrameAccumulator(StompLimits.DEFAULTS);
        accumulator.append(wire);
        bh.consume(accumulator.poll(StompVersion.V1_2));
    }

    @Benchmark
    public void decodeWithDecoder(Blackhole bh) {
        bh.consume(StompDecoder.decode(wire, 0, wire.length, StompVersion.V1_2, StompLimits.DEFAULTS));
    }

    @Benchmark
    public void encodeIntoReusedByteBuf(Blackhole bh) {
        reused.clear();
        StompEncoder.encode(message, StompVersion.V1_2, reused);
        bh.consume(reused.writerIndex());
    }

    @Benchmark
    public void encodeIntoArray(Blackhole bh) {
        bh.consume(StompEncoder.encode(message, StompVersion.V1_2));
    }
}
