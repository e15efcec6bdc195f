package io.stompgate.wire.cluster;

import io.stompgate.testing.GatewayNode;
import java.util.List;

/** The history suite on the in-JVM broker: the same promises in local mode. */
class LocalHistoryResumeTest extends HistoryResumeSuite {

    @Override
    protected GatewayNode start(List<String> properties) {
        return GatewayNode.startLocal(properties.toArray(String[]::new));
    }
}
