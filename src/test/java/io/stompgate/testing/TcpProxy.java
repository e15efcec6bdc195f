package io.stompgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between a gateway node and RabbitMQ that a test can cut (every
 * connection dropped, new ones refused) and restore, to simulate a broker
 * outage without touching the shared broker; or freeze (nothing forwarded, nothing
 * closed: a silent partition) and thaw.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile boolean frozen;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to the tests' RabbitMQ ({@link TestRabbit}). */
    public static TcpProxy toRabbit() throws IOException {
        TestRabbit rabbit = TestRabbit.get();
        return new TcpProxy(rabbit.host(), rabbit.port());
    }

    /** The address the proxy listens on (loopback). */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Drops every proxied connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    public void restore() {
        cut = false;
    }

    /**
     * Stops forwarding in both directions without closing anything, as a frozen network
     * partition does: bytes wait in the proxy until {@link #thaw()}, new connections are
     * accepted but hang.
     */
    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        synchronized (this) {
            frozen = false;
            notifyAll();
        }
    }

    private void awaitThaw() throws InterruptedException {
        synchronized (this) {
            while (frozen && !closed) {
                wait(100);
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            }
            catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    awaitThaw();
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
            catch (IOException e) {
                // connection cut or closed
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        }
        catch (IOException e) {
            // ignore
        }
    }

    @Override
    public void close() {
        closed = true;
        thaw();
        cut();
        try {
            server.close();
        }
        catch (IOException e) {
            // ignore
        }
    }
}
