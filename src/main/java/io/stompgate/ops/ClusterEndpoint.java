package io.stompgate.ops;

import io.stompgate.cluster.ClusterNode;
import io.stompgate.cluster.ClusterView;
import io.stompgate.cluster.Member;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code GET /actuator/cluster}: the member table as this node sees it (docs/protocol.md §8),
 * for operators watching a scale-out settle:
 * {@code {"self":"<id>","members":[{"node":"<id>","sessions":N,"state":"ready","lastSeenMs":M}]}},
 * this node first with {@code lastSeenMs} 0.
 */
@Endpoint(id = "cluster")
public final class ClusterEndpoint {

    /** The answer. */
    public record Cluster(String self, List<MemberEntry> members) {
    }

    /** One member: {@code state} is {@code starting}, {@code ready} or {@code draining}. */
    public record MemberEntry(String node, int sessions, String state, long lastSeenMs) {
    }

    private final ClusterNode node;

    public ClusterEndpoint(ClusterNode node) {
        this.node = node;
    }

    @ReadOperation
    public Cluster cluster() {
        ClusterView view = node.view();
        List<MemberEntry> members = view.members().stream()
                .map((Member m) -> new MemberEntry(m.node(), m.sessions(), m.state().text(), m.lastSeenMs()))
                .toList();
        return new Cluster(view.self(), members);
    }
}
