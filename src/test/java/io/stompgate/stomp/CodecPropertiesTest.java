package io.stompgate.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.Seeds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized properties of the codec. Every failure message starts with
 * {@code seed=S (replay with -Dstomp.seed=S) case=N}.
 */
class CodecPropertiesTest {

    private static final long SEED = Seeds.seed();
    private static final StompVersion[] VERSIONS = StompVersion.values();
    private static final StompCommand[] COMMANDS = StompCommand.values();
    private static final String[] TOKENS = {
        "SEND", "CONNECT", "MESSAGE", "SUBSCRIBE", "send", "\n", "\r\n", "\r", "\0", ":", "\\", "\\n", "\\c",
        "\\r", "\\t", "content-length:", "content-length:5", "content-length:-1", "content-length:99999999999",
        "destination:/a", "\n\n", "x", "\u00e9", "\uD83D\uDE00",
    };

    @BeforeAll
    static void printSeed() {
        System.out.println("CodecPropertiesTest " + Seeds.replay(SEED));
    }

    @Test
    void decodingAnEncodedFrameGivesItBack() {
        forAll(6_000, (caseNo, rnd, input) -> {
            StompCommand command = COMMANDS[caseNo % COMMANDS.length];
            StompVersion version = VERSIONS[(caseNo / COMMANDS.length) % VERSIONS.length];
            StompFrame frame = RandomFrames.frame(rnd, command, version);
            input.append(version).append(' ').append(RandomFrames.describe(frame));

            byte[] wire = StompEncoder.encode(frame, version);
            DecodeResult decoded = StompDecoder.decode(wire, 0, wire.length, version, StompLimits.DEFAULTS);

            assertThat(decoded).isEqualTo(new DecodeResult.Frame(frame, wire.length));
        });
    }

    @Test
    void anySplitOfAStreamYieldsTheSameFramesAndHeartBeats() {
        forAll(2_500, (caseNo, rnd, input) -> {
            StompVersion version = RandomFrames.version(rnd);
            RandomFrames.Stream stream = RandomFrames.stream(rnd, version, 1 + rnd.nextInt(6));
            List<byte[]> chunks = RandomFrames.chunks(rnd, stream.bytes());
            input.append(version).append(' ').append(describe(stream, chunks));

            Fed fed = feed(chunks, StompLimits.DEFAULTS, version);

            assertThat(fed.failure()).isNull();
            assertThat(fed.frames()).isEqualTo(stream.frames());
            assertThat(fed.heartBeats()).isEqualTo(stream.heartBeats());
            assertThat(fed.leftOver()).isZero();
        });
    }

    @Test
    void anySplitOfAStreamLongerThanTheFrameLimitYieldsTheSameFrames() {
        // Chunks may complete one frame and bring several more: only a single frame may break the limit.
        forAll(1_000, (caseNo, rnd, input) -> {
            StompVersion version = RandomFrames.version(rnd);
            RandomFrames.Stream stream = RandomFrames.stream(rnd, version, 3 + rnd.nextInt(6));
            int largest = 64;
            for (StompFrame frame : stream.frames()) {
                largest = Math.max(largest, StompEncoder.encode(frame, version).length);
            }
            StompLimits limits = StompLimits.ofMaxFrameBytes(largest);
            List<byte[]> chunks = RandomFrames.chunks(rnd, stream.bytes());
            input.append(version).append(" maxFrameBytes=").append(largest).append(' ').append(describe(stream, chunks));

            Fed fed = feed(chunks, limits, version);

            assertThat(fed.failure()).isNull();
            assertThat(fed.frames()).isEqualTo(stream.frames());
            assertThat(fed.heartBeats()).isEqualTo(stream.heartBeats());
        });
    }

    @Test
    void garbageNeverMakesTheAccumulatorThrow() {
        forAll(5_000, (caseNo, rnd, input) -> {
            byte[] garbage = garbage(rnd);
            StompLimits limits = limits(rnd);
            List<byte[]> chunks = RandomFrames.chunks(rnd, garbage);
            input.append(limits).append(" input=").append(HexFormat.of().formatHex(garbage));

            FrameAccumulator accumulator = new FrameAccumulator(limits);
            DecodeResult.Malformed failure = null;
            int polls = 0;
            for (byte[] chunk : chunks) {
                accumulator.append(chunk);
                DecodeResult result;
                while (failure == null && (result = accumulator.poll(escaping(rnd))) != null) {
                    assertThat(++polls).as("polls").isLessThanOrEqualTo(garbage.length + chunks.size());
                    assertThat(result).isInstanceOfAny(
                            DecodeResult.Frame.class, DecodeResult.HeartBeat.class, DecodeResult.Malformed.class);
                    if (result instanceof DecodeResult.Malformed malformed) {
                        failure = malformed;
                    }
                }
            }
            if (failure != null) {
                assertThat(accumulator.hasFailed()).isTrue();
                assertThat(accumulator.poll(escaping(rnd))).isSameAs(failure);
                assertThat(accumulator.bufferedBytes()).isZero();
                assertThat(failure.reason()).isNotBlank();
            }
        });
    }

    @Test
    void decoderNeverThrowsAndStaysWithinItsInput() {
        forAll(5_000, (caseNo, rnd, input) -> {
            byte[] garbage = garbage(rnd);
            int from = rnd.nextInt(garbage.length + 1);
            int to = from + rnd.nextInt(garbage.length - from + 1);
            StompLimits limits = limits(rnd);
            input.append(limits).append(" from=").append(from).append(" to=").append(to)
                    .append(" input=").append(HexFormat.of().formatHex(garbage));

            DecodeResult result = StompDecoder.decode(garbage, from, to, escaping(rnd), limits);

            if (result instanceof DecodeResult.Frame frame) {
                assertThat(frame.end()).isGreaterThan(from).isLessThanOrEqualTo(to);
            }
            else if (result instanceof DecodeResult.HeartBeat beat) {
                assertThat(beat.end()).isGreaterThan(from).isLessThanOrEqualTo(to);
            }
            else if (result instanceof DecodeResult.Incomplete incomplete) {
                if (incomplete.awaiting() == DecodeResult.Awaiting.LENGTH) {
                    assertThat(incomplete.position()).as("awaited length").isGreaterThan(to - from);
                }
                else {
                    assertThat(incomplete.position()).as("awaited position").isBetween(0, to - from);
                }
            }
            else {
                assertThat(((DecodeResult.Malformed) result).reason()).isNotBlank();
            }
        });
    }

    // Harness

    @FunctionalInterface
    private interface Property {
        void check(int caseNo, SplittableRandom rnd, StringBuilder input) throws Exception;
    }

    private static void forAll(int cases, Property property) {
        for (int caseNo = 0; caseNo < cases; caseNo++) {
            SplittableRandom rnd = new SplittableRandom(SEED + 0x9E3779B97F4A7C15L * caseNo);
            StringBuilder input = new StringBuilder();
            try {
                property.check(caseNo, rnd, input);
            }
            catch (Throwable t) {
                String shown = input.length() > 4_000 ? input.substring(0, 4_000) + "..." : input.toString();
                throw new AssertionError(Seeds.replay(SEED) + " case=" + caseNo + ": " + t + "\n  input: " + shown, t);
            }
        }
    }

    private record Fed(List<StompFrame> frames, int heartBeats, DecodeResult.Malformed failure, int leftOver) {
    }

    private static Fed feed(List<byte[]> chunks, StompLimits limits, StompVersion version) {
        FrameAccumulator accumulator = new FrameAccumulator(limits);
        List<StompFrame> frames = new ArrayList<>();
        int beats = 0;
        for (byte[] chunk : chunks) {
            accumulator.append(chunk);
            for (DecodeResult r = accumulator.poll(version); r != null; r = accumulator.poll(version)) {
                if (r instanceof DecodeResult.Frame frame) {
                    frames.add(frame.frame());
                }
                else if (r instanceof DecodeResult.HeartBeat) {
                    beats++;
                }
                else {
                    return new Fed(frames, beats, (DecodeResult.Malformed) r, 0);
                }
            }
        }
        return new Fed(frames, beats, null, accumulator.bufferedBytes());
    }

    private static String describe(RandomFrames.Stream stream, List<byte[]> chunks) {
        StringBuilder sb = new StringBuilder("frames=");
        stream.frames().forEach(f -> sb.append(RandomFrames.describe(f)).append("; "));
        sb.append("heartBeats=").append(stream.heartBeats()).append(" chunkSizes=");
        sb.append(Arrays.toString(chunks.stream().mapToInt(c -> c.length).toArray()));
        return sb.toString();
    }

    private static StompVersion escaping(SplittableRandom rnd) {
        int pick = rnd.nextInt(VERSIONS.length + 1);
        return pick == VERSIONS.length ? null : VERSIONS[pick];
    }

    private static StompLimits limits(SplittableRandom rnd) {
        return rnd.nextBoolean()
                ? StompLimits.DEFAULTS
                : new StompLimits(64 + rnd.nextInt(512), 1 + rnd.nextInt(8), 16 + rnd.nextInt(128));
    }

    /** Random bytes, token soup, or a valid stream broken by a few mutations. */
    private static byte[] garbage(SplittableRandom rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> {
                byte[] b = new byte[rnd.nextInt(400)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = rnd.nextInt(3) == 0 ? (byte) "\0\n\r:\\SEND".charAt(rnd.nextInt(9)) : (byte) rnd.nextInt(256);
                }
                yield b;
            }
            case 1 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = rnd.nextInt(40); i > 0; i--) {
                    out.writeBytes(TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
                }
                yield out.toByteArray();
            }
            default -> mutate(rnd, RandomFrames.stream(rnd, RandomFrames.version(rnd), 1 + rnd.nextInt(4)).bytes());
        };
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] valid) {
        byte[] b = valid;
        for (int m = 1 + rnd.nextInt(5); m > 0 && b.length > 0; m--) {
            int at = rnd.nextInt(b.length);
            int span = 1 + rnd.nextInt(Math.min(16, b.length - at));
            b = switch (rnd.nextInt(5)) {
                case 0 -> {
                    byte[] c = b.clone();
                    c[at] = (byte) rnd.nextInt(256);
                    yield c;
                }
                case 1 -> concat(Arrays.copyOfRange(b, 0, at),
                        TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8),
                        Arrays.copyOfRange(b, at, b.length));
                case 2 -> concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + span, b.length));
                case 3 -> concat(Arrays.copyOfRange(b, 0, at + span), Arrays.copyOfRange(b, at, b.length));
                default -> Arrays.copyOfRange(b, 0, at);
            };
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
