package io.stompgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stompgate.broker.rabbitmq.RabbitBrokerOptions.Endpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code spring.rabbitmq.addresses} read the way Spring Boot reads it: host lists and AMQP URIs. */
class RabbitConnectionPropertiesTest {

    static RabbitConnectionProperties withAddresses(String addresses, boolean sslEnabled) {
        return new RabbitConnectionProperties("localhost", 5672, "guest", "guest", "/", addresses,
                Duration.ofSeconds(10), Duration.ofSeconds(10), new RabbitConnectionProperties.Ssl(sslEnabled));
    }

    @Test
    void withoutAddressesHostPortAndCredentialsAreUsed() {
        RabbitConnectionProperties p = withAddresses(null, false);

        assertThat(p.endpoints()).containsExactly(new Endpoint("localhost", 5672));
        assertThat(p.effectiveUsername()).isEqualTo("guest");
        assertThat(p.effectiveVirtualHost()).isEqualTo("/");
        assertThat(p.tls()).isFalse();
    }

    @Test
    void aHostListIsReadInOrderAndDefaultsThePort() {
        RabbitConnectionProperties p = withAddresses("rabbit-a:5673, rabbit-b", false);

        assertThat(p.endpoints()).containsExactly(new Endpoint("rabbit-a", 5673), new Endpoint("rabbit-b", 5672));
        assertThat(p.effectiveUsername()).isEqualTo("guest");
    }

    @Test
    void credentialsAndVirtualHostInTheFirstUriWin() {
        RabbitConnectionProperties p = withAddresses("amqp://app:s%40cret@rabbit:5680/tenant%2Fa,amqp://rabbit-2", false);

        assertThat(p.endpoints()).containsExactly(new Endpoint("rabbit", 5680), new Endpoint("rabbit-2", 5672));
        assertThat(p.effectiveUsername()).isEqualTo("app");
        assertThat(p.effectivePassword()).isEqualTo("s@cret");
        assertThat(p.effectiveVirtualHost()).isEqualTo("tenant/a");
        assertThat(p.tls()).isFalse();
    }

    @Test
    void amqpsTurnsOnTlsWithItsDefaultPort() {
        RabbitConnectionProperties p = withAddresses("amqps://rabbit.example", false);

        assertThat(p.endpoints()).containsExactly(new Endpoint("rabbit.example", 5671));
        assertThat(p.tls()).isTrue();
    }

    @Test
    void sslEnabledTurnsOnTlsForPlainAddresses() {
        assertThat(withAddresses(null, true).tls()).isTrue();
        assertThat(withAddresses("rabbit:5671", true).tls()).isTrue();
    }

    @Test
    void aMalformedAddressFailsNamingTheProperty() {
        assertThatThrownBy(() -> withAddresses("rabbit:notaport", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spring.rabbitmq.addresses")
                .hasMessageContaining("rabbit:notaport");
        assertThatThrownBy(() -> withAddresses("amqp://:5672", false))
                .hasMessageContaining("spring.rabbitmq.addresses");
    }

    @Test
    void anOutOfRangePortFailsNamingTheProperty() {
        assertThatThrownBy(() -> new RabbitConnectionProperties("localhost", 70000, "guest", "guest", "/", null,
                Duration.ofSeconds(10), Duration.ofSeconds(10), new RabbitConnectionProperties.Ssl(false)))
                .hasMessageContaining("spring.rabbitmq.port");
    }
}
