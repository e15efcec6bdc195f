package io.stompgate.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link RebalanceRule} over time, one {@link #tick} at a time, so that it
 * runs the same on a scheduler and in a simulation with a made-up clock.
 *
 * <p>A decision fixes the count to stop at (the mean rounded up) and closes sessions at
 * most {@code maxRate} per second until the node has held that many for an announce
 * interval. Some closed clients come back to this node through the load balancer, even a
 * while after they were closed, so a round may close more than the excess it found: at
 * most the excess times the number of nodes. It drops the rest when the table changes
 * meanwhile (a member joins, leaves or stops being ready). It decides only on a table
 * that has held still for two announce intervals, and waits as long after each round of
 * shedding so that the other nodes' announcements show where the closed sessions went
 * before it looks again: deciding on counts that do not yet show them would shed too many.
 *
 * <p>And it sheds only an excess that lasts: the rule must call for shedding at every tick for
 * two announce intervals (so that two announcements of every member agree) before a round
 * starts. Clients that pour into a fresh cluster do not reach every node at the same speed
 * (one node's event loops are warm, a balancer's connections complete in a different order),
 * and a node that judged that passing skew would close sessions that were about to be
 * balanced by the rest of the storm; a benchmark opening 1,000 subscribers over two fresh
 * nodes did exactly that before this rule.
 *
 * <p>It knows the others' counts as they were when they announced them, so it judges
 * itself by the fewest sessions it held since the oldest of those announcements (and a
 * quarter interval more, for the time an announcement takes to arrive): while clients pour
 * in everywhere (a reconnect storm, a morning ramp), its live count would always look
 * ahead of the others' and it would shed for nothing.
 */
public final class Rebalancer {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

    /** The node's sessions, as the rebalancer needs them. */
    public interface Sessions {

        int count();

        /** Closes up to {@code n} sessions with {@code ERROR message: rebalancing}; returns how many it closed. */
        int close(int n);
    }

    /** A round of shedding: at most {@code budget} closes, down to the decision's target. */
    private record Round(RebalanceRule.Decision decision, int budget, long startNanos, long tableChangedAtNanos) {
    }

    private final String self;
    private final RebalanceSettings settings;
    private final long intervalNanos;
    private final long settleNanos;
    private final Sessions sessions;
    /** This node's count at each tick of the last three intervals, oldest first: {time, count}; bounded by the ticks. */
    private final ArrayDeque<long[]> recentCounts = new ArrayDeque<>();
    private final AtomicLong closes = new AtomicLong();
    private Round round;
    private int closedInRound;
    /** Since when the node has held no more than the round's target; 0 while it holds more. */
    private long withinSinceNanos;
    private long quietUntilNanos;
    private boolean quietSet;
    /** Since when every tick's decision has been to shed (valid while {@code shedWanted}). */
    private long shedWantedSinceNanos;
    private boolean shedWanted;

    /**
     * @param announceIntervalNanos how often the members announce themselves: how old what this node
     *                              knows of the others may be
     */
    public Rebalancer(String self, RebalanceSettings settings, long announceIntervalNanos, Sessions sessions) {
        this.self = self;
        this.settings = settings;
        this.intervalNanos = announceIntervalNanos;
        this.settleNanos = 2 * announceIntervalNanos;
        this.sessions = sessions;
    }

    /** Sessions this node closed to rebalance, since it started. */
    public long closes() {
        return closes.get();
    }

    /** Whether a round of shedding is under way. */
    public synchronized boolean isShedding() {
        return round != null;
    }

    /** One step at {@code nowNanos}: decides, or closes what the current round allows by now. */
    public synchronized void tick(ClusterView view, long nowNanos) {
        int fewest = remember(nowNanos, sessions.count(), comparedSinceNanos(view));
        if (round == null && !startRound(judgedByTheFewest(view, fewest), nowNanos)) {
            return;
        }
        String blocked = RebalanceRule.blocker(view);
        if (blocked != null || view.changedAtNanos() != round.tableChangedAtNanos()) {
            endRound(nowNanos, blocked != null ? "stopped: " + blocked : "stopped: the member table changed");
            return;
        }
        int target = round.decision().target();
        int count = sessions.count();
        if (count <= target) {
            // Held for an interval: clients closed a moment ago may still be on their way back here.
            if (withinSinceNanos == 0) {
                withinSinceNanos = nowNanos;
            }
            if (nowNanos - withinSinceNanos >= intervalNanos) {
                endRound(nowNanos, "within share");
            }
            return;
        }
        withinSinceNanos = 0;
        int owed = Math.min(round.budget() - closedInRound, count - target);
        long elapsed = nowNanos - round.startNanos();
        long allowedByNow = (long) Math.floor(settings.maxRate() * (elapsed / 1e9));
        int now = (int) Math.min(owed, allowedByNow - closedInRound);
        if (now > 0) {
            int closed = sessions.close(now);
            closedInRound += closed;
            closes.addAndGet(closed);
            if (closedInRound >= round.budget()) {
                endRound(nowNanos, "closed the round's most");
            }
        }
    }

    /**
     * How far back this node's own count must be looked at to compare with the others': since
     * the oldest announcement in the table, plus a quarter interval for its way here.
     */
    private long comparedSinceNanos(ClusterView view) {
        long oldestMs = 0;
        for (Member m : view.members()) {
            oldestMs = Math.max(oldestMs, m.lastSeenMs());
        }
        return Math.min(3 * intervalNanos, oldestMs * 1_000_000L + intervalNanos / 4);
    }

    /** Records this tick's count; returns the fewest over the last {@code windowNanos}. */
    private int remember(long nowNanos, int count, long windowNanos) {
        while (!recentCounts.isEmpty() && nowNanos - recentCounts.peekFirst()[0] > 3 * intervalNanos) {
            recentCounts.pollFirst();
        }
        recentCounts.addLast(new long[] {nowNanos, count});
        long fewest = count;
        for (long[] sample : recentCounts) {
            if (nowNanos - sample[0] <= windowNanos) {
                fewest = Math.min(fewest, sample[1]);
            }
        }
        return (int) fewest;
    }

    private static ClusterView judgedByTheFewest(ClusterView view, int fewest) {
        List<Member> members = new ArrayList<>(view.members().size());
        for (Member m : view.members()) {
            members.add(m.node().equals(view.self()) ? new Member(m.node(), Math.min(m.sessions(), fewest), m.state(),
                    m.lastSeenMs()) : m);
        }
        return new ClusterView(view.self(), members, view.changedAtNanos());
    }

    private boolean startRound(ClusterView view, long nowNanos) {
        if (quietSet && nowNanos - quietUntilNanos < 0) {
            return false;
        }
        if (nowNanos - view.changedAtNanos() < settleNanos) {
            shedWanted = false;
            return false;
        }
        RebalanceRule.Decision decision = RebalanceRule.decide(view, settings.tolerance(), settings.minExcess());
        if (decision.shed() == 0) {
            shedWanted = false;
            return false;
        }
        if (!shedWanted) {
            shedWanted = true;
            shedWantedSinceNanos = nowNanos;
        }
        if (nowNanos - shedWantedSinceNanos < settleNanos) {
            return false; // not yet shown to last
        }
        shedWanted = false;
        // A balancer that spreads reconnects over every node sends some closed clients back here, so reaching the
        // target may take more closes than the excess: with n nodes, at most n times as many (when only one of
        // them is below its share). Never more, whatever the balancer does.
        int budget = (int) Math.min(Integer.MAX_VALUE, (long) decision.shed() * Math.max(1, decision.nodes()));
        round = new Round(decision, budget, nowNanos, view.changedAtNanos());
        closedInRound = 0;
        withinSinceNanos = 0;
        log.info("rebalancing node={} closing={} down-to={} at-most={} at-most-per-s={}: {}", self, decision.shed(),
                decision.target(), budget, settings.maxRate(), decision.why());
        return true;
    }

    private void endRound(long nowNanos, String why) {
        log.info("rebalanced node={} closed={} excess={} in-ms={} sessions={}: {}", self, closedInRound,
                round.decision().shed(), TimeUnit.NANOSECONDS.toMillis(nowNanos - round.startNanos()),
                sessions.count(), why);
        round = null;
        quietUntilNanos = nowNanos + settleNanos;
        quietSet = true;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Rebalancer[%s, closes=%d]", self, closes.get());
    }
}
