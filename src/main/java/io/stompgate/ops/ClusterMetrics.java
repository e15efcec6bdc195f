package io.stompgate.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.stompgate.cluster.ClusterNode;

/**
 * {@code stomp_rebalance_closes_total} (sessions this node closed with {@code ERROR
 * rebalancing}) and {@code stomp_cluster_members} (nodes in its member table, itself
 * included), tagged with the node id.
 */
public final class ClusterMetrics {

    public ClusterMetrics(MeterRegistry registry, ClusterNode node, String nodeId) {
        Tags tags = Tags.of("node", nodeId);
        FunctionCounter.builder("stomp.rebalance.closes", node, ClusterNode::rebalanceCloses)
                .description("Sessions closed to hand them back to the cluster's less loaded nodes")
                .tags(tags).register(registry);
        Gauge.builder("stomp.cluster.members", node, n -> n.view().members().size())
                .description("Nodes in this node's member table, itself included").tags(tags).register(registry);
    }
}
