package io.stompgate.cluster;

import io.stompgate.broker.NodeMessage;
import io.stompgate.broker.NodeMessageListener;
import io.stompgate.logging.LogText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members this node hears from: each one's latest announcement and when it came.
 * A member not heard from for three announce intervals is gone. Bounded: at most
 * {@link #MAX_MEMBERS} nodes; announcements from further nodes are dropped (and counted)
 * until some leave.
 *
 * <p>This node's own entry is never taken from the wire: {@link #view} is given its
 * current figures, so the table is exact about this node and at most one interval old
 * about the others.
 */
public final class Membership implements NodeMessageListener {

    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** A gateway of more nodes than this is not what the table is sized for. */
    public static final int MAX_MEMBERS = 1024;
    private static final int GONE_AFTER_INTERVALS = 3;

    private record Heard(Announcement announcement, long heardAtNanos) {
    }

    private final String self;
    private final long goneAfterNanos;
    private final LongSupplier nanoClock;
    /** Guarded by this. */
    private final Map<String, Heard> peers = new HashMap<>();
    private MemberState selfState;
    private long changedAtNanos;
    private long dropped;

    /**
     * @param nanoClock {@link System#nanoTime()} in production; tests pass their own
     */
    public Membership(String self, Duration announceInterval, LongSupplier nanoClock) {
        this.self = self;
        this.goneAfterNanos = announceInterval.toNanos() * GONE_AFTER_INTERVALS;
        this.nanoClock = nanoClock;
        this.changedAtNanos = nanoClock.getAsLong();
    }

    /** Takes one announcement off the wire; one that does not parse, or claims another sender, is dropped. */
    @Override
    public void onNodeMessage(NodeMessage message) {
        Announcement announcement;
        try {
            announcement = Announcement.fromJson(message.body());
        }
        catch (IllegalArgumentException e) {
            dropped("malformed announcement from " + LogText.of(message.fromNode()) + ": " + e.getMessage());
            return;
        }
        if (!announcement.node().equals(message.fromNode())) {
            dropped("announcement for " + announcement.node() + " sent by " + LogText.of(message.fromNode()));
            return;
        }
        heard(announcement);
    }

    /** Records {@code announcement} as heard now. */
    public synchronized void heard(Announcement announcement) {
        if (announcement.node().equals(self)) {
            return;
        }
        long now = nanoClock.getAsLong();
        expire(now);
        Heard before = peers.get(announcement.node());
        if (before == null && peers.size() >= MAX_MEMBERS - 1) {
            dropped("member table full (" + MAX_MEMBERS + " nodes): announcement of " + announcement.node());
            return;
        }
        peers.put(announcement.node(), new Heard(announcement, now));
        if (before == null) {
            changedAtNanos = now;
            log.info("cluster member joined node={} member={} state={} sessions={}", self, announcement.node(),
                    announcement.state().text(), announcement.sessions());
        }
        else if (before.announcement().state() != announcement.state()) {
            changedAtNanos = now;
            log.info("cluster member changed node={} member={} state={} sessions={}", self, announcement.node(),
                    announcement.state().text(), announcement.sessions());
        }
    }

    /**
     * The table now, with this node's entry made of {@code selfSessions} and {@code selfState}
     * (a change of this node's state counts as a change of the table).
     */
    public synchronized ClusterView view(int selfSessions, MemberState selfState) {
        long now = nanoClock.getAsLong();
        expire(now);
        if (this.selfState != selfState) {
            this.selfState = selfState;
            changedAtNanos = now;
        }
        List<Member> members = new ArrayList<>(peers.size() + 1);
        members.add(new Member(self, selfSessions, selfState, 0));
        List<Member> others = new ArrayList<>(peers.size());
        for (Heard h : peers.values()) {
            Announcement a = h.announcement();
            others.add(new Member(a.node(), a.sessions(), a.state(),
                    TimeUnit.NANOSECONDS.toMillis(now - h.heardAtNanos())));
        }
        others.sort(Comparator.comparing(Member::node));
        members.addAll(others);
        return new ClusterView(self, members, changedAtNanos);
    }

    /** Announcements dropped so far: malformed, from a sender they do not name, or beyond the table's bound. */
    public synchronized long dropped() {
        return dropped;
    }

    private void expire(long now) {
        for (Iterator<Heard> it = peers.values().iterator(); it.hasNext(); ) {
            Heard h = it.next();
            long silentNanos = now - h.heardAtNanos();
            if (silentNanos > goneAfterNanos) {
                it.remove();
                changedAtNanos = now;
                log.info("cluster member gone node={} member={} not heard from for {} ms", self,
                        h.announcement().node(), TimeUnit.NANOSECONDS.toMillis(silentNanos));
            }
        }
    }

    private synchronized void dropped(String why) {
        dropped++;
        if (dropped == 1 || dropped % 1000 == 0) {
            log.warn("announcement dropped node={} dropped-so-far={}: {}", self, dropped, why);
        }
    }
}
