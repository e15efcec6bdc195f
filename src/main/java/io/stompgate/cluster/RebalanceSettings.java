package io.stompgate.cluster;

/**
 * How a node sheds sessions above its fair share ({@code gateway.rebalance.*}).
 *
 * @param tolerance how far above the mean a node may hold sessions before it sheds: it sheds above
 *                  {@code (1 + tolerance) × mean}
 * @param maxRate   most sessions it closes per second
 * @param minExcess it sheds only when it holds at least this many above the mean, so that small
 *                  clusters do not churn over a handful of sessions
 */
public record RebalanceSettings(double tolerance, int maxRate, int minExcess) {

    public RebalanceSettings {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be a number of at least 0, was " + tolerance);
        }
        if (maxRate < 1) {
            throw new IllegalArgumentException("max-rate must be at least 1, was " + maxRate);
        }
        if (minExcess < 0) {
            throw new IllegalArgumentException("min-excess must not be negative, was " + minExcess);
        }
    }
}
