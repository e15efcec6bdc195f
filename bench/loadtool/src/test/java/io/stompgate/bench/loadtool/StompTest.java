package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class StompTest {

    record Seen(int command, String body, long receiptId, String headers) {
    }

    private static List<Seen> decodeAll(String... chunks) {
        List<Seen> seen = new ArrayList<>();
        Stomp.Decoder d = new Stomp.Decoder((cmd, buf, hs, bs, be, rid) -> seen.add(new Seen(cmd,
                buf.toString(bs, be - bs, StandardCharsets.UTF_8), rid, buf.toString(hs, bs - hs, StandardCharsets.UTF_8))));
        for (String c : chunks) {
            ByteBuf in = Unpooled.copiedBuffer(c, StandardCharsets.UTF_8);
            d.decode(ByteBufAllocator.DEFAULT, in);
            in.release();
        }
        d.release();
        return seen;
    }

    @Test
    void encodesFramesWithContentLengthAndEscapedHeaders() {
        ByteBuf b = Stomp.frame(ByteBufAllocator.DEFAULT, "SUBSCRIBE",
                new String[] {"id", "0", "destination", "/topic/a:b", "skipped", null}, null);
        assertEquals("SUBSCRIBE\nid:0\ndestination:/topic/a\\cb\n\n\0", b.toString(StandardCharsets.UTF_8));
        b.release();
        b = Stomp.frame(ByteBufAllocator.DEFAULT, "CONNECT", new String[] {"login", "a:b"}, "hi".getBytes());
        assertEquals("CONNECT\nlogin:a:b\ncontent-length:2\n\nhi\0", b.toString(StandardCharsets.UTF_8));
        b.release();
    }

    @Test
    void sendTemplateWritesReceiptAndLength() {
        Stomp.SendTemplate t = new Stomp.SendTemplate("/topic/x", true);
        ByteBuf b = t.encode(ByteBufAllocator.DEFAULT, 1234567, "hello".getBytes());
        assertEquals("SEND\ndestination:/topic/x\ncontent-length:5\nreceipt:1234567\n\nhello\0", b.toString(StandardCharsets.UTF_8));
        b.release();
        b = new Stomp.SendTemplate("/user/u1/queue/x", false).encode(ByteBufAllocator.DEFAULT, 0, "".getBytes());
        assertEquals("SEND\ndestination:/user/u1/queue/x\ncontent-length:0\n\n\0", b.toString(StandardCharsets.UTF_8));
        b.release();
    }

    @Test
    void decodesSeveralFramesHeartBeatsAndReceiptIds() {
        List<Seen> s = decodeAll("CONNECTED\nversion:1.2\n\n\0\n\nRECEIPT\nreceipt-id:42\n\n\0"
                + "MESSAGE\r\ndestination:/topic/x\r\ncontent-length:3\r\n\r\na\0b\0RECEIPT\nreceipt-id:r-1\n\n\0");
        assertEquals(4, s.size());
        assertEquals(Stomp.CONNECTED, s.get(0).command());
        assertEquals(Stomp.RECEIPT, s.get(1).command());
        assertEquals(42, s.get(1).receiptId());
        assertEquals(Stomp.MESSAGE, s.get(2).command());
        assertEquals("a\0b", s.get(2).body());
        assertEquals(-1, s.get(3).receiptId(), "non-numeric receipt ids are not parsed");
    }

    @Test
    void decodesFramesSplitAcrossMessages() {
        String frame = "MESSAGE\ndestination:/topic/x\nmessage-id:1\n\nhello world\0";
        for (int cut = 1; cut < frame.length(); cut++) {
            List<Seen> s = decodeAll(frame.substring(0, cut), frame.substring(cut) + "ERROR\nmessage:bad\n\n\0");
            assertEquals(2, s.size(), "cut at " + cut);
            assertEquals("hello world", s.get(0).body());
            assertEquals(Stomp.ERROR, s.get(1).command());
        }
    }

    @Test
    void headerLookupUnescapes() {
        ByteBuf b = Unpooled.copiedBuffer("message:a\\cb\\nc\nother:x\n\n", StandardCharsets.UTF_8);
        assertEquals("a:b\nc", Stomp.header(b, 0, b.writerIndex(), "message"));
        assertNull(Stomp.header(b, 0, b.writerIndex(), "missing"));
        b.release();
    }

    @Test
    void timestampedBodiesRoundTrip() {
        byte[] body = Stomp.timestampedBody(123456789012L, 77, 100);
        assertEquals(100, body.length);
        ByteBuf b = Unpooled.wrappedBuffer(body);
        assertEquals(123456789012L, Stomp.leadingNumber(b, 0, body.length));
        assertEquals(77, Stomp.secondNumber(b, 0, body.length));
        assertEquals(32, Stomp.timestampedBody(123456789012345L, 123456789012345L, 3).length);
    }

    @Test
    void writesDecimals() {
        for (long v : new long[] {0, 7, 10, 99, 100, 123456789, Long.MAX_VALUE, -5}) {
            ByteBuf b = Unpooled.buffer();
            Stomp.writeDecimal(b, v);
            assertEquals(Long.toString(v), b.toString(StandardCharsets.US_ASCII));
        }
    }
}
