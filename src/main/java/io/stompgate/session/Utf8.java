package io.stompgate.session;

/** UTF-8 validity, to choose between text and binary WebSocket messages. */
final class Utf8 {

    private Utf8() {
    }

    /** Whether {@code bytes} is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
    static boolean isValid(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xff;
            if (b >= 0xc2 && b <= 0xdf) {
                if (i + 1 >= n || !continuation(bytes[i + 1])) {
                    return false;
                }
                i += 2;
            }
            else if (b >= 0xe0 && b <= 0xef) {
                if (i + 2 >= n || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])) {
                    return false;
                }
                int b1 = bytes[i + 1] & 0xff;
                if ((b == 0xe0 && b1 < 0xa0) || (b == 0xed && b1 > 0x9f)) {
                    return false;
                }
                i += 3;
            }
            else if (b >= 0xf0 && b <= 0xf4) {
                if (i + 3 >= n || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])
                        || !continuation(bytes[i + 3])) {
                    return false;
                }
                int b1 = bytes[i + 1] & 0xff;
                if ((b == 0xf0 && b1 < 0x90) || (b == 0xf4 && b1 > 0x8f)) {
                    return false;
                }
                i += 4;
            }
            else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
