package io.stompgate.bench.loadtool;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Where the amqp-latency scenario connects: {@code amqp://user:pass@host:port/vhost} (RabbitMQ's URI
 * spelling: an empty path or {@code /%2F} is the vhost {@code /}), loopback only and plain AMQP (no
 * amqps), like every target of the tool. {@link #toString} leaves the password out.
 */
record AmqpTarget(InetAddress address, int port, String username, String password, String vhost) {

    static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";

    static AmqpTarget parse(String uri) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--amqp-uri: not a URI: " + e.getMessage());
        }
        if (!"amqp".equals(u.getScheme())) {
            throw new IllegalArgumentException("--amqp-uri takes amqp:// only (got scheme " + u.getScheme() + ")");
        }
        String host = u.getHost();
        if (host == null) {
            throw new IllegalArgumentException("--amqp-uri: no host in " + safe(u));
        }
        InetAddress address;
        try {
            address = LoopbackResolver.loopback(host); // no DNS: loopback literals and localhost only
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("refusing --amqp-uri " + safe(u) + ": " + e.getMessage());
        }
        int port = u.getPort() < 0 ? 5672 : u.getPort();
        String user = "guest";
        String pass = "guest";
        String info = u.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            pass = colon < 0 ? "" : decode(info.substring(colon + 1));
        }
        String path = u.getRawPath();
        String vhost = path == null || path.isEmpty() || path.equals("/") ? "/" : decode(path.substring(1));
        return new AmqpTarget(address, port, user, pass, vhost);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String safe(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    @Override
    public String toString() {
        return "amqp://" + username + "@" + address.getHostAddress() + ":" + port + "/"
                + URLEncoder.encode(vhost, StandardCharsets.UTF_8); // the vhost / is %2F
    }
}
