package io.stompgate.config;

import io.stompgate.broker.rabbitmq.RabbitBrokerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The standard Spring Boot RabbitMQ connection properties, {@code spring.rabbitmq.*},
 * as operators already write them. Bound here because the gateway talks AMQP
 * with the RabbitMQ client directly rather than through Spring AMQP. The one
 * different default: {@code requested-heartbeat} is 10 s, so a silent partition
 * is noticed within seconds (docs/protocol.md §6.7).
 */
@ConfigurationProperties("spring.rabbitmq")
public record RabbitConnectionProperties(
        @DefaultValue("localhost") String host,
        @DefaultValue("5672") int port,
        @DefaultValue("guest") String username,
        @DefaultValue("guest") String password,
        @DefaultValue("/") String virtualHost,
        String addresses,
        @DefaultValue("10s") Duration requestedHeartbeat,
        @DefaultValue("10s") Duration connectionTimeout,
        @DefaultValue Ssl ssl) {

    /** {@code spring.rabbitmq.ssl.enabled}: TLS to RabbitMQ, the server checked against the JVM's trust store. */
    public record Ssl(@DefaultValue("false") boolean enabled) {
    }

    public RabbitConnectionProperties {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("spring.rabbitmq.port must be between 1 and 65535, was " + port);
        }
        if (addresses != null && !addresses.isBlank()) {
            parsed(addresses); // fails start-up on a malformed address
        }
    }

    /** One entry of {@code addresses}: {@code host[:port]} or {@code amqp[s]://[user:pass@]host[:port][/vhost]}. */
    private record Parsed(RabbitBrokerOptions.Endpoint endpoint, String username, String password, String virtualHost,
            boolean tls) {
    }

    private static List<Parsed> parsed(String addresses) {
        List<Parsed> result = new ArrayList<>();
        for (String address : addresses.split(",")) {
            String a = address.trim();
            boolean tls = false;
            if (a.startsWith("amqps://")) {
                tls = true;
                a = a.substring("amqps://".length());
            }
            else if (a.startsWith("amqp://")) {
                a = a.substring("amqp://".length());
            }
            String user = null;
            String pass = null;
            int at = a.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = a.substring(0, at);
                a = a.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                pass = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            }
            String vhost = null;
            int slash = a.indexOf('/');
            if (slash >= 0) {
                String path = a.substring(slash + 1);
                vhost = path.isEmpty() ? null : decode(path);
                a = a.substring(0, slash);
            }
            int colon = a.lastIndexOf(':');
            try {
                int defaultPort = tls ? 5671 : 5672;
                RabbitBrokerOptions.Endpoint endpoint = colon < 0 ? new RabbitBrokerOptions.Endpoint(a, defaultPort)
                        : new RabbitBrokerOptions.Endpoint(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)));
                if (endpoint.host().isBlank()) {
                    throw new NumberFormatException();
                }
                result.add(new Parsed(endpoint, user, pass, vhost, tls));
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("spring.rabbitmq.addresses has a malformed entry '" + address.trim() + "'");
            }
        }
        return result;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private boolean hasAddresses() {
        return addresses != null && !addresses.isBlank();
    }

    /** {@code addresses} when set, else {@code host} and {@code port}. */
    public List<RabbitBrokerOptions.Endpoint> endpoints() {
        if (!hasAddresses()) {
            return List.of(new RabbitBrokerOptions.Endpoint(host, port));
        }
        return parsed(addresses).stream().map(Parsed::endpoint).toList();
    }

    /** As Spring Boot does: credentials and virtual host in the first address win over the plain properties. */
    public String effectiveUsername() {
        return hasAddresses() && parsed(addresses).get(0).username() != null ? parsed(addresses).get(0).username() : username;
    }

    public String effectivePassword() {
        return hasAddresses() && parsed(addresses).get(0).password() != null ? parsed(addresses).get(0).password() : password;
    }

    public String effectiveVirtualHost() {
        return hasAddresses() && parsed(addresses).get(0).virtualHost() != null ? parsed(addresses).get(0).virtualHost()
                : virtualHost;
    }

    /** TLS when {@code spring.rabbitmq.ssl.enabled} or an {@code amqps://} address. */
    public boolean tls() {
        return ssl.enabled() || (hasAddresses() && parsed(addresses).stream().anyMatch(Parsed::tls));
    }
}
