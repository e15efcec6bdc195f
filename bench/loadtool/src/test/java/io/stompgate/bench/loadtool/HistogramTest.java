package io.stompgate.bench.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void exactBelow1024WithNearestRank() {
        Histogram h = new Histogram();
        for (int v = 1; v <= 1000; v++) {
            h.record(v);
        }
        assertEquals(500, h.percentile(50));
        assertEquals(900, h.percentile(90));
        assertEquals(990, h.percentile(99));
        assertEquals(1000, h.percentile(100));
        assertEquals(1000, h.max());
        assertEquals(1, h.min());
        assertEquals(500.5, h.mean(), 1e-9);
    }

    @Test
    void smallSamples() {
        Histogram h = new Histogram();
        assertEquals(0, h.percentile(99));
        h.record(7);
        assertEquals(7, h.percentile(50));
        assertEquals(7, h.percentile(99.9));
        h.record(3);
        assertEquals(3, h.percentile(50), "nearest rank of 2 values at p50 is the first");
        assertEquals(7, h.percentile(51));
    }

    @Test
    void withinOnePercentForLargeValues() {
        Histogram h = new Histogram();
        for (long v = 1; v <= 1_000_000; v++) {
            h.record(v * 10);
        }
        for (double p : new double[] {50, 90, 99, 99.9}) {
            double exact = p / 100 * 10_000_000;
            double got = h.percentile(p);
            assertTrue(got >= exact && got <= exact * 1.01, p + ": " + got + " vs " + exact);
        }
        assertEquals(10_000_000, h.percentile(100));
    }

    @Test
    void bucketsCoverValuesWithoutGaps() {
        for (int i = 0; i < Histogram.BUCKETS - 1; i++) {
            assertEquals(Histogram.highest(i) + 1, Histogram.lowest(i + 1), "bucket " + i);
            assertEquals(i, Histogram.index(Histogram.lowest(i)));
            assertEquals(i, Histogram.index(Histogram.highest(i)));
        }
    }

    @Test
    void mergesAndTravelsAsText() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        for (int v = 1; v <= 500; v++) {
            a.record(v);
        }
        for (int v = 501; v <= 1000; v++) {
            b.record(v);
        }
        Histogram m = Histogram.decode(a.encode());
        m.merge(Histogram.decode(b.encode()));
        assertEquals(1000, m.count());
        assertEquals(990, m.percentile(99));
        assertEquals(1, m.min());
        assertEquals(1000, m.max());
        assertEquals(0, Histogram.decode(new Histogram().encode()).count());
    }
}
