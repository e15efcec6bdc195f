package io.stompgate.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

/** Small helpers that keep codec tests to one line of wire text each. */
final class Wire {

    private Wire() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static DecodeResult decode(String wire) {
        return decode(wire, StompVersion.V1_2);
    }

    static DecodeResult decode(String wire, StompVersion escaping) {
        return decode(bytes(wire), escaping, StompLimits.DEFAULTS);
    }

    static DecodeResult decode(byte[] wire, StompVersion escaping, StompLimits limits) {
        return StompDecoder.decode(wire, 0, wire.length, escaping, limits);
    }

    static StompFrame frame(DecodeResult result) {
        assertThat(result).isInstanceOf(DecodeResult.Frame.class);
        return ((DecodeResult.Frame) result).frame();
    }

    static DecodeResult.Malformed malformed(DecodeResult result) {
        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        return (DecodeResult.Malformed) result;
    }

    static DecodeResult.Incomplete incomplete(DecodeResult result) {
        assertThat(result).isInstanceOf(DecodeResult.Incomplete.class);
        return (DecodeResult.Incomplete) result;
    }

    static String repeat(char c, int times) {
        return String.valueOf(c).repeat(times);
    }
}
