package io.stompgate.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.stompgate.broker.MessageBroker;
import io.stompgate.cluster.ClusterNode;
import io.stompgate.ops.ClusterEndpoint;
import io.stompgate.ops.ClusterMetrics;
import io.stompgate.session.SessionRegistry;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Cluster membership and rebalancing ({@code gateway.cluster.*}, {@code gateway.rebalance.*}):
 * the node announces itself from just after the broker starts until after the drain, and
 * {@code /actuator/cluster} shows the member table. In {@code local} mode the node hears
 * only itself.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ClusterProperties.class, RebalanceProperties.class})
public class ClusterConfiguration {

    @Bean(destroyMethod = "close")
    ClusterNode clusterNode(NodeId nodeId, MessageBroker broker, SessionRegistry registry, ClusterProperties cluster,
            RebalanceProperties rebalance, GatewayProperties gateway, ApplicationAvailability availability) {
        return new ClusterNode(nodeId.value(), broker, registry, cluster.announceInterval(),
                rebalance.enabledIn(gateway.broker()) ? rebalance.settings() : null,
                () -> availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC && broker.isUp());
    }

    @Bean
    ClusterLifecycle clusterLifecycle(ClusterNode node) {
        return new ClusterLifecycle(node);
    }

    @Bean
    ClusterEndpoint clusterEndpoint(ClusterNode node) {
        return new ClusterEndpoint(node);
    }

    @Bean
    ClusterMetrics clusterMetrics(MeterRegistry meterRegistry, ClusterNode node, NodeId nodeId) {
        return new ClusterMetrics(meterRegistry, node, nodeId.value());
    }

    /**
     * Announces from just after the broker has started (so the first announcement goes out)
     * until after the web server and the drain have stopped (so the others hear
     * {@code draining} throughout); tells the node at once when readiness changes.
     */
    static final class ClusterLifecycle implements SmartLifecycle, ApplicationListener<AvailabilityChangeEvent<?>> {

        private final ClusterNode node;
        private volatile boolean running;

        ClusterLifecycle(ClusterNode node) {
            this.node = node;
        }

        @Override
        public void start() {
            node.start();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
            node.stop();
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return BrokerLifecycle.PHASE + 1;
        }

        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
            if (event.getState() instanceof ReadinessState) {
                node.stateMayHaveChanged();
            }
        }
    }
}
