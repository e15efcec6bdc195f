package io.stompgate.stomp;

/**
 * Strict UTF-8 validity. STOMP frames are UTF-8: the decoder refuses a header
 * that is not (rather than handing on U+FFFD replacements), and the session
 * uses it to choose between text and binary WebSocket messages for bodies.
 */
public final class Utf8 {

    private Utf8() {
    }

    /** Whether {@code bytes} is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
    public static boolean isValid(byte[] bytes) {
        return isValid(bytes, 0, bytes.length);
    }

    /** Whether {@code bytes[from, to)} is well-formed UTF-8. */
    public static boolean isValid(byte[] bytes, int from, int to) {
        int i = from;
        int n = to;
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

    /** How many bytes {@code s} takes in UTF-8, without encoding it (a limit check on a hot path). */
    public static int encodedLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            }
            else if (c < 0x800) {
                n += 2;
            }
            else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            }
            else {
                n += 3;
            }
        }
        return n;
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
