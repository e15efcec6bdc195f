package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecentDeliveriesTest {

    @Test
    void aMessageIdSeenBeforeIsACopy() {
        RecentDeliveries recent = new RecentDeliveries(16);
        long id = RecentDeliveries.ofMessageId("node-a:xyz:1");

        assertThat(recent.firstTime(id)).isTrue();
        assertThat(recent.firstTime(id)).isFalse();
        assertThat(recent.firstTime(RecentDeliveries.ofMessageId("node-a:xyz:2"))).isTrue();
    }

    @Test
    void rememberedForAtLeastOneGenerationAndForgottenAfterTwo() {
        RecentDeliveries recent = new RecentDeliveries(16);
        for (int i = 0; i < 16; i++) {
            recent.firstTime(RecentDeliveries.ofMessageId("m" + i));
        }
        for (int i = 16; i < 32; i++) {
            recent.firstTime(RecentDeliveries.ofMessageId("m" + i));
        }
        assertThat(recent.contains(RecentDeliveries.ofMessageId("m0"))).as("one generation back").isTrue();

        recent.firstTime(RecentDeliveries.ofMessageId("m32")); // the third generation begins: the first is dropped

        assertThat(recent.contains(RecentDeliveries.ofMessageId("m0"))).isFalse();
        assertThat(recent.contains(RecentDeliveries.ofMessageId("m16"))).isTrue();
        assertThat(recent.contains(RecentDeliveries.ofMessageId("m32"))).isTrue();
    }

    @Test
    void recordingDoesNotAnswerButIsRemembered() {
        RecentDeliveries recent = new RecentDeliveries(16);
        long fingerprint = RecentDeliveries.ofContent("stomp.topic", "a.b", null, bytes("x"));

        recent.record(fingerprint);
        recent.record(fingerprint);

        assertThat(recent.firstTime(fingerprint)).isFalse();
    }

    @Test
    void contentFingerprintsTellRoutingIdAndBodyApart() {
        long base = RecentDeliveries.ofContent("stomp.topic", "a.b", null, bytes("x"));

        assertThat(RecentDeliveries.ofContent("stomp.topic", "a.b", null, bytes("x"))).isEqualTo(base);
        assertThat(RecentDeliveries.ofContent("stomp.user", "a.b", null, bytes("x"))).isNotEqualTo(base);
        assertThat(RecentDeliveries.ofContent("stomp.topic", "a.c", null, bytes("x"))).isNotEqualTo(base);
        assertThat(RecentDeliveries.ofContent("stomp.topic", "a.b", "id-1", bytes("x"))).isNotEqualTo(base);
        assertThat(RecentDeliveries.ofContent("stomp.topic", "a.b", null, bytes("y"))).isNotEqualTo(base);
        assertThat(RecentDeliveries.ofContent("stomp.topic", "a.b", null, bytes(""))).isNotEqualTo(
                RecentDeliveries.ofContent("stomp.topic", "a.", null, bytes("b")));
    }

    @Test
    void theFingerprintZeroIsRememberedToo() {
        RecentDeliveries recent = new RecentDeliveries(16);

        assertThat(recent.firstTime(0)).isTrue();
        assertThat(recent.firstTime(0)).isFalse();
    }

    @Test
    void generationSizeMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new RecentDeliveries(100)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
