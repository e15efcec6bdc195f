package io.stompgate.cluster;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The shedding rule of docs/protocol.md §8, as a pure function of the member table:
 * how many sessions this node should hand back now, and why (not).
 *
 * <p>Fair share is the mean of the members' sessions; every member must be ready (a
 * starting node has not taken its share yet, a draining one is giving all of its away),
 * so the mean is over ready nodes. A node sheds when it holds more than
 * {@code (1 + tolerance) × mean} and at least {@code minExcess} above the mean, and then
 * down to the mean rounded up: the band keeps nodes near the mean from churning, the
 * rounding up keeps it from ever going below its share.
 */
public final class RebalanceRule {

    private RebalanceRule() {
    }

    /**
     * A verdict on the table.
     *
     * @param shed   sessions to close now; 0 to close none
     * @param target what this node then holds: the mean rounded up (0 when it sheds nothing)
     * @param mean   sessions per ready node ({@code NaN} when some member is not ready)
     * @param nodes  members counted
     * @param reason the reason, for the log: what blocks shedding, or the figures that call for it;
     *               formatted only when asked for ({@link #why()}), since the rule runs ten times a
     *               second on every node and is logged only when it sheds
     */
    public record Decision(int shed, int target, double mean, int nodes, Supplier<String> reason) {

        static Decision none(String why, double mean, int nodes) {
            return new Decision(0, 0, mean, nodes, () -> why);
        }

        static Decision none(Supplier<String> why, double mean, int nodes) {
            return new Decision(0, 0, mean, nodes, why);
        }

        /** The reason, formatted. */
        public String why() {
            return reason.get();
        }
    }

    /** What keeps any node from shedding in this table, or {@code null} when every member is ready. */
    public static String blocker(ClusterView view) {
        Member self = view.selfMember();
        if (self == null) {
            return "this node is not in the table";
        }
        if (self.state() != MemberState.READY) {
            return "this node is " + self.state().text();
        }
        for (Member m : view.members()) {
            if (m.state() != MemberState.READY) {
                return "node " + m.node() + " is " + m.state().text();
            }
        }
        return null;
    }

    public static Decision decide(ClusterView view, double tolerance, int minExcess) {
        int nodes = view.members().size();
        String blocked = blocker(view);
        if (blocked != null) {
            return Decision.none(blocked, Double.NaN, nodes);
        }
        long total = 0;
        for (Member m : view.members()) {
            total += m.sessions();
        }
        double mean = (double) total / nodes;
        int held = view.selfMember().sessions();
        double band = (1 + tolerance) * mean;
        if (held <= band) {
            return Decision.none(() -> String.format(Locale.ROOT, "holds %d, within %.1f (mean %.1f + %.0f%%)", held, band, mean,
                    tolerance * 100), mean, nodes);
        }
        if (held - mean < minExcess) {
            return Decision.none(() -> String.format(Locale.ROOT, "holds %d, %.1f above the mean %.1f, less than min-excess %d", held,
                    held - mean, mean, minExcess), mean, nodes);
        }
        int target = (int) Math.ceil(mean);
        int shed = held - target;
        if (shed <= 0) {
            return Decision.none("already at the mean rounded up", mean, nodes);
        }
        return new Decision(shed, target, mean, nodes, () -> String.format(Locale.ROOT,
                "holds %d, above %.1f (mean %.1f over %d ready nodes + %.0f%%) and at least %d above the mean",
                held, band, mean, nodes, tolerance * 100, minExcess));
    }
}
