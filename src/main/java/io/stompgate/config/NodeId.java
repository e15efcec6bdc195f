package io.stompgate.config;

import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This node's name: it names the node's AMQP queue ({@code stomp.node.<id>}) and
 * every log line. {@code gateway.node-id} when set; otherwise the host name and a
 * short random suffix, so two nodes on one host (or a restarted pod) never share
 * a queue.
 */
public record NodeId(String value) {

    public static NodeId resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            return new NodeId(configured);
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            }
            catch (Exception e) {
                host = "node";
            }
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "-");
        if (host.length() > 60) {
            host = host.substring(0, 60);
        }
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        return new NodeId(host + "-" + suffix);
    }

    @Override
    public String toString() {
        return value;
    }
}
