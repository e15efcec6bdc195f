package io.stompgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stompgate.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The shedding rule of docs/protocol.md §8 as a pure function: worked examples, then
 * properties over random member tables (seeded; a failure names its seed, replay with
 * {@code -Dstomp.seed=N}).
 */
class RebalanceRuleTest {

    private static final double TOLERANCE = 0.2;
    private static final int MIN_EXCESS = 10;

    private static ClusterView table(String self, Object... nodeSessionState) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < nodeSessionState.length; i += 3) {
            members.add(new Member((String) nodeSessionState[i], (Integer) nodeSessionState[i + 1],
                    (MemberState) nodeSessionState[i + 2], 0));
        }
        return new ClusterView(self, members, 0);
    }

    private static RebalanceRule.Decision decide(ClusterView view) {
        return RebalanceRule.decide(view, TOLERANCE, MIN_EXCESS);
    }

    @Test
    void aScaleOutFromTwoToThreeShedsDownToTheMeanRoundedUp() {
        ClusterView view = table("a", "a", 301, MemberState.READY, "b", 300, MemberState.READY,
                "c", 0, MemberState.READY);

        RebalanceRule.Decision d = decide(view);

        assertThat(d.mean()).isEqualTo(601 / 3.0);
        assertThat(d.target()).isEqualTo(201);
        assertThat(d.shed()).isEqualTo(100);
    }

    @Test
    void aNodeWithinTheToleranceBandShedsNothing() {
        // mean 100, band 120: 120 is within it.
        assertThat(decide(table("a", "a", 120, MemberState.READY, "b", 80, MemberState.READY,
                "c", 100, MemberState.READY)).shed()).isZero();
        assertThat(decide(table("a", "a", 121, MemberState.READY, "b", 79, MemberState.READY,
                "c", 100, MemberState.READY)).shed()).isEqualTo(21);
    }

    @Test
    void aSmallClusterDoesNotChurnBelowMinExcess() {
        // 15 against 3: above the band (10.8) but only 6 above the mean of 9.
        RebalanceRule.Decision d = decide(table("a", "a", 15, MemberState.READY, "b", 3, MemberState.READY));

        assertThat(d.shed()).isZero();
        assertThat(d.why()).contains("min-excess");
    }

    @Test
    void nothingIsShedWhileAnyMemberIsStartingOrDraining() {
        for (MemberState other : new MemberState[] {MemberState.STARTING, MemberState.DRAINING}) {
            RebalanceRule.Decision d = decide(table("a", "a", 500, MemberState.READY, "b", 0, other,
                    "c", 0, MemberState.READY));
            assertThat(d.shed()).as("peer %s", other).isZero();
            assertThat(d.why()).isEqualTo("node b is " + other.text());
        }
        assertThat(decide(table("a", "a", 500, MemberState.DRAINING, "c", 0, MemberState.READY)).shed()).isZero();
    }

    @Test
    void aNodeAloneShedsNothing() {
        assertThat(decide(table("a", "a", 100_000, MemberState.READY)).shed()).isZero();
    }

    @Test
    void randomTablesNeverShedBelowFairShareNorWhileAMemberIsNotReady() {
        Seeds.withSeed("RebalanceRuleTest.randomTables", seed -> {
            Random random = new Random(seed);
            for (int run = 0; run < 20_000; run++) {
                int n = 1 + random.nextInt(12);
                double tolerance = random.nextInt(4) == 0 ? 0 : random.nextDouble();
                int minExcess = random.nextInt(4) == 0 ? 0 : random.nextInt(50);
                List<Member> members = new ArrayList<>();
                boolean allReady = true;
                long total = 0;
                int scale = random.nextBoolean() ? 100 : 100_000;
                for (int i = 0; i < n; i++) {
                    MemberState state = random.nextInt(10) == 0
                            ? MemberState.values()[random.nextInt(MemberState.values().length)] : MemberState.READY;
                    allReady &= state == MemberState.READY;
                    int sessions = random.nextInt(scale);
                    total += sessions;
                    members.add(new Member("n" + i, sessions, state, 0));
                }
                Member self = members.get(random.nextInt(n));
                ClusterView view = new ClusterView(self.node(), members, 0);
                RebalanceRule.Decision d = RebalanceRule.decide(view, tolerance, minExcess);
                double mean = (double) total / n;
                String context = "run " + run + " " + members + " self=" + self.node() + " tolerance=" + tolerance
                        + " min-excess=" + minExcess + " -> " + d;

                assertThat(d.shed()).as(context).isBetween(0, self.sessions());
                if (!allReady) {
                    assertThat(d.shed()).as(context).isZero();
                    continue;
                }
                boolean aboveBand = self.sessions() > (1 + tolerance) * mean;
                boolean enoughExcess = self.sessions() - mean >= minExcess;
                if (d.shed() > 0) {
                    assertThat(aboveBand && enoughExcess).as(context).isTrue();
                    // Never below fair share: what it keeps is the mean rounded up.
                    assertThat(self.sessions() - d.shed()).as(context)
                            .isEqualTo(d.target()).isEqualTo((int) Math.ceil(mean));
                    assertThat((double) d.target()).as(context).isGreaterThanOrEqualTo(mean);
                }
                else {
                    assertThat(aboveBand && enoughExcess && self.sessions() > Math.ceil(mean)).as(context).isFalse();
                }
            }
        });
    }
}
