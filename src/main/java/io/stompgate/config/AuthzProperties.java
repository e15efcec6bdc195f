package io.stompgate.config;

import io.stompgate.auth.DestinationRules;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.authz.rules[n].destination / .subscribe / .send}: destination
 * authorization rules, first match wins (see {@link DestinationRules}).
 */
@ConfigurationProperties("gateway.authz")
public record AuthzProperties(@DefaultValue List<DestinationRules.Rule> rules) {
}
