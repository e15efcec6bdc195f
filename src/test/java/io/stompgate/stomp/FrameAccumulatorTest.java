package io.stompgate.stomp;

import static io.stompgate.stomp.Wire.bytes;
import static io.stompgate.stomp.Wire.repeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameAccumulatorTest {

    private final FrameAccumulator accumulator = new FrameAccumulator(StompLimits.DEFAULTS);

    @Test
    void emptyAccumulatorPollsNull() {
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();
        assertThat(accumulator.bufferedBytes()).isZero();
    }

    @Test
    void incompleteInputLeavesBufferUntouched() {
        byte[] partial = bytes("SEND\ndestination:/a\n\nhel");
        accumulator.append(partial.clone());

        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();
        assertThat(accumulator.snapshot()).isEqualTo(partial);
        assertThat(accumulator.bufferedBytes()).isEqualTo(partial.length);
    }

    @Test
    void incompleteInputStaysUntouchedOverSeveralChunksAndPolls() {
        accumulator.append(bytes("SEND\ndest"));
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();
        accumulator.append(bytes("ination:/a\n"));
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();

        assertThat(accumulator.snapshot()).isEqualTo(bytes("SEND\ndestination:/a\n"));
    }

    @Test
    void emptyChunkChangesNothing() {
        accumulator.append(new byte[0]);

        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();
    }

    @Test
    void frameCompletedByALaterChunkIsDecoded() {
        accumulator.append(bytes("SEND\ndestination:/a\n\nhel"));
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();

        accumulator.append(bytes("lo\0"));

        assertThat(frames(drain(accumulator))).containsExactly(
                new StompFrame(StompCommand.SEND, StompHeaders.of("destination", "/a"), bytes("hello")));
        assertThat(accumulator.bufferedBytes()).isZero();
    }

    @Test
    void severalFramesInOneChunkArePolledInOrder() {
        accumulator.append(bytes("SEND\ndestination:/a\n\n1\0SEND\ndestination:/b\n\n2\0DISCONNECT\n\n\0"));

        List<StompFrame> frames = frames(drain(accumulator));

        assertThat(frames).extracting(StompFrame::command)
                .containsExactly(StompCommand.SEND, StompCommand.SEND, StompCommand.DISCONNECT);
        assertThat(frames).extracting(StompFrame::bodyAsString).containsExactly("1", "2", "");
    }

    @Test
    void lineFeedAndCrlfHeartBeatsBetweenFramesAreReportedEach() {
        accumulator.append(bytes("\nSEND\n\n\0\r\n\nDISCONNECT\n\n\0"));

        assertThat(drain(accumulator)).extracting(r -> r.getClass().getSimpleName())
                .containsExactly("HeartBeat", "Frame", "HeartBeat", "HeartBeat", "Frame");
    }

    @Test
    void crlfHeartBeatSplitBetweenChunksIsOneHeartBeat() {
        accumulator.append(bytes("\r"));
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();

        accumulator.append(bytes("\n"));

        assertThat(accumulator.poll(StompVersion.V1_2)).isInstanceOf(DecodeResult.HeartBeat.class);
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();
    }

    @Test
    void trailingEolsAfterNulAreHeartBeats() {
        accumulator.append(bytes("SEND\n\n\0\n\r\n"));

        assertThat(drain(accumulator)).extracting(r -> r.getClass().getSimpleName())
                .containsExactly("Frame", "HeartBeat", "HeartBeat");
        assertThat(accumulator.bufferedBytes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SEND\r\ndestination:/queue/a\r\ncontent-length:5\r\n\r\nh\0l\0o\0",
        "MESSAGE\ndestination:/topic/x\nmessage-id:1\nsubscription:s\n\nhello world\0",
        "SUBSCRIBE\nid:s1\ndestination:/topic/a.*\nack:client\n\n\0",
    })
    void frameSplitAtEveryBytePositionOverTwoChunksIsDecodedOnce(String text) {
        byte[] wire = bytes(text);
        StompFrame expected = Wire.frame(Wire.decode(wire, StompVersion.V1_2, StompLimits.DEFAULTS));
        for (int cut = 0; cut <= wire.length; cut++) {
            FrameAccumulator split = new FrameAccumulator(StompLimits.DEFAULTS);
            List<DecodeResult> results = new ArrayList<>();

            split.append(Arrays.copyOfRange(wire, 0, cut));
            results.addAll(drain(split));
            split.append(Arrays.copyOfRange(wire, cut, wire.length));
            results.addAll(drain(split));

            assertThat(frames(results)).as("cut at %d", cut).containsExactly(expected);
            assertThat(split.bufferedBytes()).as("cut at %d", cut).isZero();
        }
    }

    @Test
    void escapingRulesCanChangeBetweenFramesOfOneChunk() {
        accumulator.append(bytes("CONNECT\naccept-version:1.2\npasscode:a\\cb\n\n\0SEND\ndestination:/a\\cb\n\n\0"));

        StompFrame connect = ((DecodeResult.Frame) accumulator.poll(null)).frame();
        StompFrame send = ((DecodeResult.Frame) accumulator.poll(StompVersion.V1_2)).frame();

        assertThat(connect.header("passcode")).isEqualTo("a\\cb");
        assertThat(send.header("destination")).isEqualTo("/a:b");
    }

    @Test
    void afterMalformedEveryPollReturnsTheSameError() {
        accumulator.append(bytes("send\n\n\0SEND\n\n\0"));

        DecodeResult first = accumulator.poll(StompVersion.V1_2);
        accumulator.append(bytes("SEND\n\n\0"));

        assertThat(first).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(accumulator.poll(StompVersion.V1_2)).isSameAs(first);
        assertThat(accumulator.poll(null)).isSameAs(first);
        assertThat(accumulator.hasFailed()).isTrue();
    }

    @Test
    void failedAccumulatorDropsItsBuffer() {
        accumulator.append(bytes("FOO\n\n\0" + repeat('x', 1000)));

        accumulator.poll(StompVersion.V1_2);

        assertThat(accumulator.bufferedBytes()).isZero();
    }

    @Test
    void contentLengthOverTheLimitIsTooLargeBeforeTheBodyArrives() {
        accumulator.append(bytes("SEND\ndestination:/a\n"));
        assertThat(accumulator.poll(StompVersion.V1_2)).isNull();

        accumulator.append(bytes("content-length:65537\n\n"));

        DecodeResult result = accumulator.poll(StompVersion.V1_2);
        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(((DecodeResult.Malformed) result).problem()).isEqualTo(DecodeResult.Problem.FRAME_TOO_LARGE);
    }

    @Test
    void bodyWithoutNulIsTooLargeSoonAfterItPassesTheLimit() {
        StompLimits limits = StompLimits.ofMaxFrameBytes(4096);
        FrameAccumulator small = new FrameAccumulator(limits);
        small.append(bytes("SEND\ndestination:/a\n\n"));
        DecodeResult result = null;
        int fed = 0;
        while (result == null && fed < 3 * limits.maxFrameBytes()) {
            small.append(bytes(repeat('x', 100)));
            fed += 100;
            result = small.poll(StompVersion.V1_2);
        }

        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(((DecodeResult.Malformed) result).problem()).isEqualTo(DecodeResult.Problem.FRAME_TOO_LARGE);
        assertThat(fed).isLessThanOrEqualTo(limits.maxFrameBytes() + 100);
    }

    @Test
    void headerLineOverTheLimitIsMalformedWhileTheLineIsStillIncomplete() {
        accumulator.append(bytes("SEND\nx:"));
        DecodeResult result = null;
        int fed = 0;
        while (result == null && fed < StompLimits.DEFAULT_MAX_FRAME_BYTES) {
            accumulator.append(bytes(repeat('v', 64)));
            fed += 64;
            result = accumulator.poll(StompVersion.V1_2);
        }

        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(((DecodeResult.Malformed) result).reason()).contains("header line longer");
        assertThat(fed).isLessThan(2 * StompLimits.DEFAULT_MAX_HEADER_LINE_BYTES);
    }

    @Test
    void framesArrivingWithTheRestOfAnIncompleteFrameAreNotMistakenForOneLargeFrame() {
        // The next chunk may complete a small frame and carry several more, each under the limit,
        // so more than maxFrameBytes is buffered at once without any frame being too large.
        StompLimits limits = StompLimits.ofMaxFrameBytes(1024);
        FrameAccumulator small = new FrameAccumulator(limits);
        small.append(bytes("SEN"));
        assertThat(small.poll(StompVersion.V1_2)).isNull();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.writeBytes(bytes("D\ndestination:/a\n\n\0"));
        for (int i = 0; i < 10; i++) {
            rest.writeBytes(bytes("SEND\ndestination:/a\n\n" + repeat('x', 200) + "\0"));
        }

        small.append(rest.toByteArray());

        List<DecodeResult> results = drain(small);
        assertThat(results).allMatch(r -> r instanceof DecodeResult.Frame).hasSize(11);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void frameOfTheMaximumSizeFedOneByteAtATimeIsNotRescannedForEveryByte(boolean withContentLength) {
        byte[] wire = frameOfExactly(StompLimits.DEFAULT_MAX_FRAME_BYTES, withContentLength);
        byte[][] chunks = new byte[wire.length][];
        for (int i = 0; i < wire.length; i++) {
            chunks[i] = new byte[] {wire[i]};
        }
        List<DecodeResult> results = new ArrayList<>(2);
        long allocatedBefore = allocatedBytes();

        for (byte[] chunk : chunks) {
            accumulator.append(chunk);
            DecodeResult result = accumulator.poll(StompVersion.V1_2);
            if (result != null) {
                results.add(result);
            }
        }

        // Decoding the partial frame again for each byte would allocate its ~6 KB of header
        // strings 65,536 times (hundreds of MB); re-decoding only when an awaited line feed or NUL
        // arrives, or every so many bytes, allocates a few MB at most.
        long allocated = allocatedBytes() - allocatedBefore;
        assertThat(results).singleElement().isInstanceOf(DecodeResult.Frame.class);
        assertThat(((DecodeResult.Frame) results.get(0)).frame().body()).hasSize(bodyLength(wire));
        assertThat(allocated).as("bytes allocated while feeding %d bytes", wire.length).isLessThan(16L << 20);
    }

    private static byte[] frameOfExactly(int size, boolean withContentLength) {
        StringBuilder head = new StringBuilder("SEND\ndestination:/queue/large\n");
        for (int i = 0; i < 40; i++) {
            head.append("x-header-").append(i).append(':').append(repeat('h', 120)).append('\n');
        }
        if (withContentLength) {
            head.append("content-length:00000\n");
        }
        head.append('\n');
        int bodyLength = size - head.length() - 1;
        String text = head.toString();
        if (withContentLength) {
            text = text.replace("content-length:00000", "content-length:" + bodyLength);
        }
        byte[] wire = bytes(text + repeat('b', bodyLength) + "\0");
        assertThat(wire).hasSize(size);
        return wire;
    }

    private static int bodyLength(byte[] wire) {
        String text = Wire.text(wire);
        return text.length() - text.indexOf("\n\n") - 3;
    }

    private static long allocatedBytes() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeThat(threads).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) threads;
        assumeThat(hotspot.isThreadAllocatedMemorySupported()).isTrue();
        return hotspot.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static List<DecodeResult> drain(FrameAccumulator accumulator) {
        List<DecodeResult> results = new ArrayList<>();
        for (DecodeResult r = accumulator.poll(StompVersion.V1_2); r != null; r = accumulator.poll(StompVersion.V1_2)) {
            results.add(r);
            if (r instanceof DecodeResult.Malformed) {
                break;
            }
        }
        return results;
    }

    private static List<StompFrame> frames(List<DecodeResult> results) {
        assertThat(results).allMatch(r -> r instanceof DecodeResult.Frame);
        return results.stream().map(r -> ((DecodeResult.Frame) r).frame()).toList();
    }

    @Test
    void nulArrivingInALaterChunkInsideTheHeadersIsReportedAtOnce() {
        FrameAccumulator acc = new FrameAccumulator(StompLimits.DEFAULTS);
        acc.append(bytes("SEND\ndestination:/topic/a\nx-h"));
        assertThat(acc.poll(StompVersion.V1_2)).isNull();
        acc.append(bytes("eader\0"));
        assertThat(acc.poll(StompVersion.V1_2)).isInstanceOf(DecodeResult.Malformed.class);
    }

    @Test
    void nulInsideAShortCommandLineIsAnUnknownCommand() {
        FrameAccumulator acc = new FrameAccumulator(StompLimits.DEFAULTS);
        acc.append(bytes("SEN"));
        assertThat(acc.poll(StompVersion.V1_2)).isNull();
        acc.append(bytes("\0"));
        DecodeResult result = acc.poll(StompVersion.V1_2);
        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(((DecodeResult.Malformed) result).problem()).isEqualTo(DecodeResult.Problem.UNKNOWN_COMMAND);
    }
}
