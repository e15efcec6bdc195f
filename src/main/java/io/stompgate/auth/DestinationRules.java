package io.stompgate.auth;

import io.stompgate.broker.TopicPatterns;
import io.stompgate.broker.Address;
import io.stompgate.session.DestinationPolicy;
import io.stompgate.session.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Declarative authorization ({@code gateway.authz.rules[n]}): each rule names a
 * destination pattern ({@code /topic/admin.#}, {@code /queue/orders.*},
 * {@code /app/billing.#}) and what SUBSCRIBE and SEND require: {@code permit},
 * {@code deny}, {@code authenticated}, or authorities of which one suffices
 * ({@code role:admin, scope:admin.write}). For a concrete destination the first
 * rule that matches it and says something about the action decides; with no
 * such rule the destination is open (topics, queues and {@code /app}; user
 * destinations follow their built-in rules, docs/protocol.md §4.6, before any of these).
 *
 * <p>A wildcard subscription is judged as a whole: every rule that shares a key
 * with the subscribed pattern applies, in order, until one that matches all of
 * its keys; all of them must allow it. So {@code /topic/#} cannot read
 * {@code /topic/admin.x} when {@code /topic/admin.#} is restricted.
 */
public final class DestinationRules implements DestinationPolicy {

    /** One configured rule. */
    public record Rule(String destination, String subscribe, String send) {
    }

    private record Compiled(String prefix, String pattern, Requirement subscribe, Requirement send) {
    }

    /** What an action needs; null in a rule when the rule does not govern that action. */
    private record Requirement(boolean permitAll, boolean denyAll, boolean authenticated, Set<String> anyOf) {

        boolean allows(Identity identity) {
            if (permitAll || authenticated) {
                return true;
            }
            if (denyAll) {
                return false;
            }
            for (String authority : anyOf) {
                if (identity.authorities().contains(authority)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final List<String> PREFIXES = List.of("/topic/", "/queue/", "/app/");

    private final List<Compiled> rules;

    public DestinationRules(List<Rule> rules) {
        List<Compiled> compiled = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            String property = "gateway.authz.rules[" + i + "]";
            String destination = rule.destination();
            if (destination == null) {
                throw new IllegalArgumentException(property + ".destination is required");
            }
            String prefix = PREFIXES.stream().filter(destination::startsWith).findFirst().orElseThrow(() ->
                    new IllegalArgumentException(property + ".destination must start with /topic/, /queue/ or /app/, was '"
                            + destination + "'"));
            String pattern = destination.substring(prefix.length());
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException(property + ".destination has an empty pattern");
            }
            compiled.add(new Compiled(prefix, pattern, parse(rule.subscribe(), property + ".subscribe"),
                    parse(rule.send(), property + ".send")));
        }
        this.rules = List.copyOf(compiled);
    }

    private static Requirement parse(String text, String property) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "permit", "permitall", "permit-all" -> {
                return new Requirement(true, false, false, Set.of());
            }
            case "deny", "denyall", "deny-all" -> {
                return new Requirement(false, true, false, Set.of());
            }
            case "authenticated" -> {
                return new Requirement(false, false, true, Set.of());
            }
            default -> {
                Set<String> anyOf = new java.util.LinkedHashSet<>();
                for (String part : text.split(",")) {
                    String authority = part.trim();
                    if (!authority.matches("[A-Za-z0-9_-]+:.+")) {
                        throw new IllegalArgumentException(property + " must be permit, deny, authenticated or a list "
                                + "of authorities such as role:admin, scope:admin.write; was '" + text + "'");
                    }
                    anyOf.add(authority);
                }
                return new Requirement(false, false, false, Set.copyOf(anyOf));
            }
        }
    }

    @Override
    public boolean maySubscribe(Identity identity, String destination, Address address) {
        return allowed(identity, destination, true);
    }

    @Override
    public boolean maySend(Identity identity, String destination, Address address) {
        return allowed(identity, destination, false);
    }

    private boolean allowed(Identity identity, String destination, boolean subscribe) {
        String prefix = PREFIXES.stream().filter(destination::startsWith).findFirst().orElse(null);
        if (prefix == null) {
            return true;
        }
        String key = destination.substring(prefix.length());
        for (Compiled rule : rules) {
            Requirement requirement = subscribe ? rule.subscribe() : rule.send();
            if (requirement == null || !rule.prefix().equals(prefix) || !TopicPatterns.overlap(rule.pattern(), key)) {
                continue;
            }
            if (!requirement.allows(identity)) {
                return false;
            }
            if (TopicPatterns.covers(rule.pattern(), key)) {
                return true; // every key of the destination is decided by this rule
            }
        }
        return true;
    }

    public int size() {
        return rules.size();
    }
}
