package io.stompgate.cluster;

import java.util.List;

/**
 * The member table at one instant, this node first and then the others by node id.
 *
 * @param self           this node's id
 * @param members        every member heard from within three announce intervals, this node included
 * @param changedAtNanos when ({@link System#nanoTime()}) a member last joined, left or changed state:
 *                       a node decides to shed only on a table that has held still for a while
 */
public record ClusterView(String self, List<Member> members, long changedAtNanos) {

    public ClusterView {
        members = List.copyOf(members);
    }

    /** This node's own entry, or {@code null} if the table lacks it. */
    public Member selfMember() {
        for (Member m : members) {
            if (m.node().equals(self)) {
                return m;
            }
        }
        return null;
    }
}
