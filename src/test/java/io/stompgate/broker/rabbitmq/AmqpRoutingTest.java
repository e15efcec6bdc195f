package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.broker.Address;
import io.stompgate.broker.BrokerException;
import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.Publication;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpRoutingTest {

    private static final RabbitBrokerOptions OPTIONS = RabbitBrokerOptions.defaults(
            List.of(new RabbitBrokerOptions.Endpoint("127.0.0.1", 5672)), "guest", "guest", "/", "node-a");
    private final AmqpRouting routing = new AmqpRouting(OPTIONS);

    private static Publication to(Address address) {
        return new Publication(address, new BrokerMessage(null, null), "alice", "s-1");
    }

    @Test
    void topicsGoToTheTopicExchangeByKey() {
        assertThat(routing.outbound(to(new Address.Topic("a.b"))))
                .isEqualTo(new AmqpRouting.Route("stomp.topic", "a.b", false, false, Map.of(), null, null));
    }

    @Test
    void usersGoToTheUserExchangeByPrincipalWithTheirQueueInAHeader() {
        assertThat(routing.outbound(to(new Address.User("bob", "inbox")))).isEqualTo(new AmqpRouting.Route(
                "stomp.user", "bob", false, false, Map.of("stomp-destination", "/queue/inbox"), null, null));
    }

    @Test
    void sharedQueuesGoStraightToTheirDurableQueueMandatoryAndPersistent() {
        assertThat(routing.outbound(to(new Address.Queue("jobs"))))
                .isEqualTo(new AmqpRouting.Route("", "stomp.queue.jobs", true, true, Map.of(), "jobs", null));
    }

    @Test
    void appMessagesCarryTheSendersPrincipalSessionAndNode() {
        assertThat(routing.outbound(to(new Address.App("orders.new")))).isEqualTo(new AmqpRouting.Route(
                "stomp.app", "orders.new", true, false,
                Map.of("stomp-user", "alice", "stomp-session", "s-1", "stomp-node", "node-a"), null, null));
    }

    @Test
    void theQueueNameBudgetIsWhatThePrefixLeaves() {
        AmqpRouting longPrefix = new AmqpRouting(new RabbitBrokerOptions(OPTIONS.addresses(), "guest", "guest", "/",
                OPTIONS.requestedHeartbeat(), OPTIONS.connectionTimeout(), "node-a", OPTIONS.operationTimeout(), 10,
                "stomp.topic", "stomp.user", "stomp.app", "stomp.cluster", "stomp.node.", "p".repeat(250), OPTIONS.reconnectMin(),
                OPTIONS.reconnectMax(), false, NodeQueueOptions.defaults(), io.stompgate.broker.History.none(),
                "stomp.history"));

        assertThat(routing.maxQueueNameBytes()).isEqualTo(243);
        assertThat(longPrefix.maxQueueNameBytes()).isEqualTo(5);
        assertThat(longPrefix.queueName("abcde")).isEqualTo("p".repeat(250) + "abcde");
        assertThatThrownBy(() -> longPrefix.outbound(to(new Address.Queue("abcdef"))))
                .isInstanceOf(BrokerException.class).hasMessageContaining("5 bytes left after the prefix");
    }

    @Test
    void deliveriesAreTopicOrUserByTheirExchange() {
        assertThat(routing.inbound("stomp.topic", "a.b", null)).isEqualTo(new AmqpRouting.Inbound.Topic("a.b"));
        assertThat(routing.inbound("stomp.user", "bob", Map.of("stomp-destination", "/queue/inbox")))
                .isEqualTo(new AmqpRouting.Inbound.User("bob", "inbox"));
        assertThat(routing.inbound("stomp.user", "bob", Map.of("stomp-destination", "/topic/x")))
                .isInstanceOf(AmqpRouting.Inbound.Undeliverable.class);
        assertThat(routing.inbound("stomp.user", "bob", null)).isInstanceOf(AmqpRouting.Inbound.Undeliverable.class);
        assertThat(routing.inbound("other", "k", null)).isInstanceOf(AmqpRouting.Inbound.Undeliverable.class);
    }
}
