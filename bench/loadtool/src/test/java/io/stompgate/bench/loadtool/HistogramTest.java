package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The tool's histograms as {@link Result} makes them: HdrHistograms of microseconds, merged across shards. */
class HistogramTest {

    @Test
    void exactBelow2048WithNearestRank() {
        Histogram h = Result.newHistogram();
        for (int v = 1; v <= 1000; v++) {
            h.recordValue(v);
        }
        assertEquals(500, h.getValueAtPercentile(50));
        assertEquals(900, h.getValueAtPercentile(90));
        assertEquals(990, h.getValueAtPercentile(99));
        assertEquals(1000, h.getValueAtPercentile(100));
        assertEquals(1000, h.getMaxValue());
        assertEquals(1, h.getMinValue());
        assertEquals(500.5, h.getMean(), 1e-9);
        h.recordValue(2047);
        assertEquals(2047, h.getMaxValue());
    }

    @Test
    void smallSamples() {
        Histogram h = Result.newHistogram();
        assertEquals(0, h.getValueAtPercentile(99));
        assertEquals(0, h.getMaxValue());
        h.recordValue(7);
        assertEquals(7, h.getValueAtPercentile(50));
        assertEquals(7, h.getValueAtPercentile(99.9));
        h.recordValue(3);
        assertEquals(3, h.getValueAtPercentile(50), "nearest rank of 2 values at p50 is the first");
        assertEquals(7, h.getValueAtPercentile(51));
    }

    @Test
    void withinOneThousandthForLargeValues() {
        Histogram h = Result.newHistogram();
        for (long v = 1; v <= 1_000_000; v++) {
            h.recordValue(v * 10);
        }
        for (double p : new double[] {50, 90, 99, 99.9}) {
            double exact = p / 100 * 10_000_000;
            double got = h.getValueAtPercentile(p);
            assertTrue(got >= exact && got <= exact * 1.001, p + ": " + got + " vs " + exact);
        }
        long max = h.getMaxValue();
        assertTrue(max >= 10_000_000 && max <= 10_000_000 * 1.001, "max " + max);
        assertEquals(max, h.getValueAtPercentile(100));
    }

    @Test
    void negativeDurationsCountAsZero() {
        Histogram h = Result.newHistogram();
        Result.recordMicros(h, -5_000);
        Result.recordMicros(h, 1_999_999); // whole microseconds: 1,999
        assertEquals(2, h.getTotalCount());
        assertEquals(0, h.getMinValue());
        assertEquals(1_999, h.getMaxValue());
    }

    @Test
    void mergesAndTravelsAsText() {
        Result a = new Result();
        Result b = new Result();
        for (int v = 1; v <= 500; v++) {
            a.hist("latency_us").recordValue(v);
        }
        for (int v = 501; v <= 1000; v++) {
            b.hist("latency_us").recordValue(v);
        }
        Result parent = new Result();
        parent.mergeWire(a.toWire());
        parent.mergeWire(b.toWire());
        Histogram m = parent.hist("latency_us");
        assertEquals(1000, m.getTotalCount());
        assertEquals(990, m.getValueAtPercentile(99));
        assertEquals(1, m.getMinValue());
        assertEquals(1000, m.getMaxValue());
        assertEquals(0, Result.decode(Result.encode(Result.newHistogram())).getTotalCount());
    }

    @Test
    void mergeOfShardHistogramsEqualsTheHistogramOfTheUnion() {
        SplittableRandom random = new SplittableRandom(11);
        Histogram union = Result.newHistogram();
        Result parent = new Result();
        for (int shard = 0; shard < 4; shard++) {
            Result child = new Result();
            int n = shard == 3 ? 0 : 20_000; // one shard recorded nothing
            for (int k = 0; k < n; k++) {
                // Mostly sub-millisecond, a long tail up to a minute, one shard's values much higher.
                long v = random.nextInt(100) == 0 ? random.nextLong(60_000_000L) : random.nextLong(1, 5_000);
                v = shard == 2 ? v * 7 : v;
                child.hist("latency_us").recordValue(v);
                union.recordValue(v);
            }
            parent.mergeWire(child.toWire());
        }
        Histogram merged = parent.hist("latency_us");
        assertEquals(union, merged);
        assertEquals(60_000, merged.getTotalCount());
        for (double p : new double[] {50, 90, 99, 99.9, 100}) {
            assertEquals(union.getValueAtPercentile(p), merged.getValueAtPercentile(p), "p" + p);
        }
        assertEquals(union.getMaxValue(), merged.getMaxValue());
        assertEquals(union.getMinValue(), merged.getMinValue());
        assertEquals(union.getMean(), merged.getMean(), 1e-9);
    }
}
