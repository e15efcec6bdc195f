package io.stompgate.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** The log line of a failed (re)connect names the broker's reason, not just "java.io.IOException". */
class ConnectFailureTextTest {

    @Test
    void theBrokersReplyTextInsideABareIoExceptionIsNamed() {
        ShutdownSignalException locked = new ShutdownSignalException(false, false,
                new AMQP.Channel.Close.Builder().replyCode(405)
                        .replyText("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'stomp.node.a'").build(),
                null);

        assertThat(AmqpErrors.failureText(new IOException(locked)))
                .isEqualTo("IOException: RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'stomp.node.a'");
    }

    @Test
    void aConnectionRefusedKeepsItsOwnMessage() {
        assertThat(AmqpErrors.failureText(new ConnectException("Connection refused")))
                .isEqualTo("java.net.ConnectException: Connection refused");
    }

    @Test
    void aWrappedCauseIsNamed() {
        assertThat(AmqpErrors.failureText(new IOException(new IllegalStateException("inner trouble"))))
                .contains("inner trouble");
    }
}
