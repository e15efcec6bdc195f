package io.stompgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.broker.NodeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The member table: who is in it, for how long, and what it refuses to take. */
class MembershipTest {

    private final AtomicLong nowMs = new AtomicLong(1_000);
    private final Membership membership = new Membership("self", Duration.ofSeconds(2), () -> nowMs.get() * 1_000_000L);

    private static NodeMessage message(String from, String json) {
        return new NodeMessage(Announcement.KIND, from, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAnnouncementIsTheContractsJsonAndReadsBack() {
        Announcement a = new Announcement("gw-1", 30, MemberState.READY, 1717000000000L);

        assertThat(new String(a.toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"node\":\"gw-1\",\"sessions\":30,\"state\":\"ready\",\"sentAt\":1717000000000}");
        assertThat(Announcement.fromJson(a.toJson())).isEqualTo(a);
        // Fields a reader does not know are ignored, for later versions.
        assertThat(Announcement.fromJson("{\"node\":\"gw-2\",\"sessions\":1,\"state\":\"draining\",\"zone\":\"b\"}"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(new Announcement("gw-2", 1, MemberState.DRAINING, 0));
    }

    @Test
    void badAnnouncementsAreRefusedSayingWhy() {
        for (String[] bad : new String[][] {
                {"[1]", "not a JSON object"}, {"{", "not JSON"}, {"{\"sessions\":1,\"state\":\"ready\"}", "'node'"},
                {"{\"node\":\"a\",\"sessions\":-1,\"state\":\"ready\"}", "negative"},
                {"{\"node\":\"a\",\"sessions\":1.5,\"state\":\"ready\"}", "'sessions'"},
                {"{\"node\":\"a\",\"sessions\":1,\"state\":\"gone\"}", "'state'"},
                {"{\"node\":\"a b\",\"sessions\":1,\"state\":\"ready\"}", "gateway.node-id"}}) {
            assertThatThrownBy(() -> Announcement.fromJson(bad[0].getBytes(StandardCharsets.UTF_8)))
                    .as(bad[0]).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad[1]);
        }
    }

    @Test
    void aMemberNotHeardFromForThreeIntervalsIsGone() {
        membership.onNodeMessage(message("b", "{\"node\":\"b\",\"sessions\":7,\"state\":\"ready\",\"sentAt\":1}"));
        nowMs.addAndGet(1500);

        ClusterView view = membership.view(3, MemberState.READY);
        assertThat(view.members()).containsExactly(new Member("self", 3, MemberState.READY, 0),
                new Member("b", 7, MemberState.READY, 1500));

        nowMs.addAndGet(4500); // 6000 ms: three intervals exactly
        assertThat(membership.view(3, MemberState.READY).members()).extracting(Member::node).containsExactly("self", "b");
        long before = membership.view(3, MemberState.READY).changedAtNanos();
        nowMs.addAndGet(1);
        ClusterView after = membership.view(3, MemberState.READY);
        assertThat(after.members()).extracting(Member::node).containsExactly("self");
        assertThat(after.changedAtNanos()).as("a departure changes the table").isGreaterThan(before);
    }

    @Test
    void joiningAndChangingStateChangeTheTableButNewCountsDoNot() {
        membership.heard(new Announcement("b", 1, MemberState.STARTING, 0));
        long joined = membership.view(0, MemberState.READY).changedAtNanos();
        nowMs.addAndGet(100);
        membership.heard(new Announcement("b", 50, MemberState.STARTING, 0));
        assertThat(membership.view(0, MemberState.READY).changedAtNanos()).isEqualTo(joined);
        nowMs.addAndGet(100);
        membership.heard(new Announcement("b", 50, MemberState.READY, 0));
        assertThat(membership.view(0, MemberState.READY).changedAtNanos()).isGreaterThan(joined);
        long readied = membership.view(0, MemberState.READY).changedAtNanos();
        nowMs.addAndGet(100);
        assertThat(membership.view(0, MemberState.DRAINING).changedAtNanos()).as("this node's own state counts")
                .isGreaterThan(readied);
    }

    @Test
    void announcementsThatAreMalformedOrForgedOrOfThisNodeAreNotTaken() {
        membership.onNodeMessage(message("b", "not json"));
        membership.onNodeMessage(message("mallory", "{\"node\":\"b\",\"sessions\":1,\"state\":\"ready\"}"));
        membership.onNodeMessage(message("self", "{\"node\":\"self\",\"sessions\":999,\"state\":\"draining\"}"));

        assertThat(membership.view(3, MemberState.READY).members())
                .containsExactly(new Member("self", 3, MemberState.READY, 0));
        assertThat(membership.dropped()).isEqualTo(2);
    }

    @Test
    void theTableIsBounded() {
        for (int i = 0; i < Membership.MAX_MEMBERS + 100; i++) {
            membership.heard(new Announcement("n" + i, i, MemberState.READY, 0));
        }

        assertThat(membership.view(0, MemberState.READY).members()).hasSize(Membership.MAX_MEMBERS);
        assertThat(membership.dropped()).isEqualTo(101);
        // A member already in the table is still heard.
        membership.heard(new Announcement("n0", 42, MemberState.DRAINING, 0));
        assertThat(membership.view(0, MemberState.READY).members()).contains(new Member("n0", 42, MemberState.DRAINING, 0));
    }
}
