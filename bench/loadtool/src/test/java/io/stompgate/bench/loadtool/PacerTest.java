package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PacerTest {

    private static final long BEGIN = 5_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void messageIIsScheduledAtBeginPlusITimesTheInterval() {
        Pacer p = new Pacer(BEGIN, 1000, 100);
        assertEquals(BEGIN, p.scheduledNanos(0));
        assertEquals(BEGIN + MS, p.scheduledNanos(1));
        assertEquals(BEGIN + 999 * MS, p.scheduledNanos(999));
        assertEquals(0, p.dueBy(BEGIN - 1));
        assertEquals(1, p.dueBy(BEGIN));
        assertEquals(1, p.dueBy(BEGIN + MS - 1));
        assertEquals(2, p.dueBy(BEGIN + MS));
        // An interval that is no whole number of nanoseconds: due exactly from the scheduled time.
        Pacer thirds = new Pacer(BEGIN, 3, 100);
        for (long i = 0; i < 1000; i++) {
            long at = thirds.scheduledNanos(i);
            assertEquals(i, thirds.dueBy(at - 1), "before message " + i);
            assertEquals(i + 1, thirds.dueBy(at), "at message " + i);
        }
    }

    @Test
    void catchesUpInBoundedBurstsWithoutSkippingAny() {
        Pacer p = new Pacer(BEGIN, 1000, 10);
        List<long[]> sent = new ArrayList<>();
        Pacer.Send record = (seq, scheduled, last) -> sent.add(new long[] {seq, scheduled, last ? 1 : 0});
        assertEquals(0, p.sendDue(BEGIN - 1, record));
        assertEquals(1, p.sendDue(BEGIN, record));
        assertEquals(0, p.sendDue(BEGIN, record), "nothing new is due");
        assertEquals(10, p.sendDue(BEGIN + 50 * MS, record), "50 due, at most 10 at once");
        int calls = 0;
        while (p.sendDue(BEGIN + 50 * MS, record) > 0) {
            calls++;
        }
        assertEquals(4, calls);
        assertEquals(51, p.sent());
        for (int k = 0; k < sent.size(); k++) {
            assertEquals(k + 1, sent.get(k)[0], "sequence");
            assertEquals(BEGIN + k * MS, sent.get(k)[1], "stamped with its scheduled time");
        }
        assertEquals(1, sent.get(10)[2], "the last of a burst is flagged");
        assertEquals(0, sent.get(9)[2]);
    }

    @Test
    void afterItsEndStillSendsWhatItOwedBeforeTheEndAndNothingLater() {
        Pacer p = new Pacer(BEGIN, 1000, 10);
        List<Long> scheduled = new ArrayList<>();
        Pacer.Send record = (seq, at, last) -> scheduled.add(at);
        p.sendDue(BEGIN + 5 * MS, record); // 0..5 on time, then the sender stalls
        p.endAt(BEGIN + 20 * MS); // the end of the window: messages 0..19 belong to it
        assertFalse(p.finished());
        while (p.sendDue(BEGIN + 40 * MS, record) > 0) {
            // catching up after the end
        }
        assertTrue(p.finished());
        assertEquals(20, p.sent());
        assertEquals(BEGIN + 19 * MS, scheduled.get(scheduled.size() - 1));
        assertEquals(0, p.sendDue(BEGIN + 100 * MS, record));
        Pacer ended = new Pacer(BEGIN, 1000, 100);
        ended.sendDue(BEGIN + 30 * MS, record);
        assertEquals(31, ended.sent());
        ended.endAt(BEGIN + 20 * MS); // ended after it had already sent past the end
        assertTrue(ended.finished());
    }

    @Test
    void runsOnAnExecutorWakingWhenEachMessageIsDueUntilItsEnd() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            long begin = System.nanoTime() + 5 * MS;
            Pacer p = new Pacer(begin, 2000, 20);
            p.endAt(begin + 50 * MS); // 100 messages
            List<long[]> sent = new ArrayList<>();
            p.runOn(executor, (seq, scheduled, last) -> sent.add(new long[] {seq, scheduled, System.nanoTime()}));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!p.finished() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(p.finished(), "sent " + p.sent() + " of 100 within 10 s");
            executor.submit(() -> { }).get(); // the executor's last run is over
            assertEquals(100, sent.size());
            for (int k = 0; k < sent.size(); k++) {
                long[] m = sent.get(k);
                assertEquals(k + 1, m[0]);
                assertEquals(p.scheduledNanos(k), m[1]);
                assertTrue(m[2] >= m[1], "message " + k + " went out before it was due");
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void cancelStopsARunThatHasNoEnd() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            Pacer p = new Pacer(System.nanoTime(), 1000, 10);
            p.runOn(executor, (seq, scheduled, last) -> { });
            Thread.sleep(30);
            p.cancel();
            executor.submit(() -> { }).get();
            long sent = p.sent();
            assertTrue(sent > 0);
            Thread.sleep(30);
            executor.submit(() -> { }).get();
            assertEquals(sent, p.sent(), "nothing sent after cancel");
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * 1,000 msg/s for one second, each message delivered 100 µs after it goes out; the sender stalls
     * for 50 ms after 300 ms. The messages it owed meanwhile go out late, and their latency counts
     * from when they were due: from their actual send time every one would read 100 µs.
     */
    @Test
    void stalledSendersLateMessagesCountAsLatencyFromTheirScheduledTime() {
        Result result = new Result();
        TimedArrivals arrivals = new TimedArrivals(result);
        long windowStart = BEGIN;
        long windowEnd = BEGIN + 1000 * MS;
        Pacer pacer = new Pacer(BEGIN, 1000, 10);
        long[] tick = new long[1];
        List<Long> sentAt350 = new ArrayList<>();
        Pacer.Send deliver = (seq, scheduled, last) -> {
            if (tick[0] == BEGIN + 350 * MS) {
                sentAt350.add(scheduled);
            }
            ByteBuf body = Unpooled.wrappedBuffer(Stomp.timestampedBody(scheduled, seq, 100));
            try {
                arrivals.arrived(body, 0, body.writerIndex(), tick[0] + 100_000, windowStart, windowEnd);
            } finally {
                body.release();
            }
        };
        for (long ms = 0; ms <= 1100; ms++) {
            if (ms > 300 && ms < 350) {
                continue; // stalled: no tick runs
            }
            tick[0] = BEGIN + ms * MS;
            pacer.sendDue(tick[0], deliver);
        }
        arrivals.collect(result);

        assertEquals(BEGIN + 301 * MS, sentAt350.get(0), "the first message sent after the stall carries its due time");
        Histogram h = result.hist("latency_us");
        assertEquals(1000, h.getTotalCount(), "every message due in the window, none skipped");
        assertEquals(1000, result.counter("received_window"));
        // Due at 301..354 ms, sent at 350..355 ms (ten per tick while catching up): 54 late messages.
        assertEquals(54, h.getCountBetweenValues(1_000, h.getMaxValue()));
        assertEquals(946, h.getCountAtValue(100));
        assertEquals(100, h.getValueAtPercentile(90));
        assertNear(40_100, h.getValueAtPercentile(99)); // the 11th latest: due at 311, sent at 351 ms
        assertNear(49_100, h.getMaxValue()); // due at 301, sent at 350 ms
    }

    private static void assertNear(long expectedUs, long actualUs) {
        assertTrue(actualUs >= expectedUs && actualUs <= expectedUs * 1.001, actualUs + " vs " + expectedUs + " µs");
    }
}
