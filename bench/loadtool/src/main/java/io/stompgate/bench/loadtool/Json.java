package io.stompgate.bench.loadtool;

import java.util.LinkedHashMap;
import java.util.Map;

/** Flat JSON objects only (string, number, boolean, null values): what the tool writes and reads. */
final class Json {

    private Json() {
    }

    static String write(Map<String, ?> map) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, e.getKey());
            sb.append(':');
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Double d) {
                if (d.isNaN() || d.isInfinite()) {
                    sb.append("null");
                } else {
                    // six significant digits, plain notation
                    sb.append(new java.math.BigDecimal(d).round(new java.math.MathContext(6))
                            .stripTrailingZeros().toPlainString());
                }
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                quote(sb, v.toString());
            }
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Parses one flat object; numbers come back as Double. */
    static Map<String, Object> parse(String s) {
        Map<String, Object> out = new LinkedHashMap<>();
        int[] pos = {skip(s, 0)};
        expect(s, pos, '{');
        pos[0] = skip(s, pos[0]);
        if (s.charAt(pos[0]) == '}') {
            return out;
        }
        while (true) {
            pos[0] = skip(s, pos[0]);
            String key = string(s, pos);
            pos[0] = skip(s, pos[0]);
            expect(s, pos, ':');
            pos[0] = skip(s, pos[0]);
            out.put(key, value(s, pos));
            pos[0] = skip(s, pos[0]);
            char c = s.charAt(pos[0]++);
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("bad JSON at " + (pos[0] - 1));
            }
        }
    }

    private static Object value(String s, int[] pos) {
        char c = s.charAt(pos[0]);
        if (c == '"') {
            return string(s, pos);
        }
        if (s.startsWith("true", pos[0])) {
            pos[0] += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", pos[0])) {
            pos[0] += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("null", pos[0])) {
            pos[0] += 4;
            return null;
        }
        int start = pos[0];
        while (pos[0] < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos[0])) >= 0) {
            pos[0]++;
        }
        if (start == pos[0]) {
            throw new IllegalArgumentException("bad JSON value at " + start + " (only flat objects)");
        }
        return Double.parseDouble(s.substring(start, pos[0]));
    }

    private static String string(String s, int[] pos) {
        expect(s, pos, '"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(pos[0]++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char n = s.charAt(pos[0]++);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
                        pos[0] += 4;
                    }
                    default -> sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
    }

    private static void expect(String s, int[] pos, char c) {
        if (s.charAt(pos[0]) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + pos[0]);
        }
        pos[0]++;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
