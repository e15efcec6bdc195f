package io.stompgate.auth;

import io.stompgate.broker.TopicPatterns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.session.Identity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DestinationRulesTest {

    private static final Identity ADMIN = new Identity("root", Set.of("role:admin", "scope:admin.write"), null);
    private static final Identity USER = new Identity("joe", Set.of("scope:chat.write"), null);

    private final DestinationRules rules = new DestinationRules(List.of(
            new DestinationRules.Rule("/topic/admin.public.#", "permit", null),
            new DestinationRules.Rule("/topic/admin.#", "role:admin", "scope:admin.write"),
            new DestinationRules.Rule("/queue/payroll", "role:admin", "role:admin"),
            new DestinationRules.Rule("/app/billing.#", null, "deny")));

    @Test
    void restrictedTopicNeedsTheAuthority() {
        assertThat(rules.maySubscribe(ADMIN, "/topic/admin.audit", null)).isTrue();
        assertThat(rules.maySubscribe(USER, "/topic/admin.audit", null)).isFalse();
        assertThat(rules.maySend(USER, "/topic/admin.audit", null)).isFalse();
        assertThat(rules.maySend(ADMIN, "/topic/admin.audit", null)).isTrue();
    }

    @Test
    void wildcardSubscriptionThatWouldReachARestrictedTopicIsRefused() {
        assertThat(rules.maySubscribe(USER, "/topic/#", null)).isFalse();
        assertThat(rules.maySubscribe(USER, "/topic/*.audit", null)).isFalse();
        assertThat(rules.maySubscribe(USER, "/topic/admin.*", null)).isFalse();
        assertThat(rules.maySubscribe(ADMIN, "/topic/#", null)).isTrue();
    }

    @Test
    void anEarlierRuleThatCoversTheWholePatternDecidesIt() {
        assertThat(rules.maySubscribe(USER, "/topic/admin.public.news", null)).isTrue();
        assertThat(rules.maySubscribe(USER, "/topic/admin.public.#", null)).isTrue();
    }

    @Test
    void unrestrictedDestinationsAreOpen() {
        assertThat(rules.maySubscribe(USER, "/topic/chat.lobby", null)).isTrue();
        assertThat(rules.maySubscribe(USER, "/topic/chat.*", null)).isTrue();
        assertThat(rules.maySend(USER, "/queue/jobs", null)).isTrue();
        assertThat(rules.maySend(USER, "/app/chat.send", null)).isTrue();
    }

    @Test
    void queueAndAppRulesApply() {
        assertThat(rules.maySubscribe(USER, "/queue/payroll", null)).isFalse();
        assertThat(rules.maySubscribe(ADMIN, "/queue/payroll", null)).isTrue();
        assertThat(rules.maySend(ADMIN, "/app/billing.charge", null)).isFalse();
    }

    @Test
    void badRulesStopStartupNamingTheProperty() {
        assertThatThrownBy(() -> new DestinationRules(List.of(new DestinationRules.Rule("/nowhere/x", "permit", null))))
                .hasMessageContaining("gateway.authz.rules[0].destination");
        assertThatThrownBy(() -> new DestinationRules(List.of(new DestinationRules.Rule("/topic/x", "admins", null))))
                .hasMessageContaining("gateway.authz.rules[0].subscribe");
    }

    @Test
    void patternRelationsFollowTopicSemantics() {
        assertThat(TopicPatterns.overlap("admin.#", "#")).isTrue();
        assertThat(TopicPatterns.overlap("admin.#", "*.audit")).isTrue();
        assertThat(TopicPatterns.overlap("admin.#", "chat.*")).isFalse();
        assertThat(TopicPatterns.overlap("a.*.c", "a.b.*")).isTrue();
        assertThat(TopicPatterns.overlap("a.*", "a")).isFalse();
        assertThat(TopicPatterns.overlap("a.#", "a")).isTrue();
        assertThat(TopicPatterns.covers("admin.#", "admin.*")).isTrue();
        assertThat(TopicPatterns.covers("admin.#", "admin")).isTrue();
        assertThat(TopicPatterns.covers("admin.*", "admin.#")).isFalse();
        assertThat(TopicPatterns.covers("#", "a.#.b")).isTrue();
        assertThat(TopicPatterns.covers("*.#", "#")).isFalse();
        assertThat(TopicPatterns.covers("a.*", "a.b")).isTrue();
        assertThat(TopicPatterns.covers("a.b", "a.*")).isFalse();
    }
}
