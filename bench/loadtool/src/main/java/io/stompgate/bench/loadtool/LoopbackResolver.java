package io.stompgate.bench.loadtool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * The client's only name resolver: IP literals and {@code localhost}, loopback only, and never a DNS
 * query. (Netty's default DNS resolver would ask the system's name server, e.g. when Reactor Netty
 * retries a refused connection by the name {@code "127.0.0.1:1"}.)
 */
final class LoopbackResolver extends AddressResolverGroup<InetSocketAddress> {

    static final LoopbackResolver INSTANCE = new LoopbackResolver();

    static InetAddress loopback(String host) throws UnknownHostException {
        String h = host;
        // Reactor Netty retries a refused connection by the name "host:port": take the host part.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*[^:]):(\\d+)$").matcher(h);
        if (m.matches() && !NetUtil.isValidIpV6Address(h)) {
            h = m.group(1);
        }
        h = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        InetAddress a;
        if (h.equalsIgnoreCase("localhost")) {
            a = InetAddress.getLoopbackAddress();
        } else if (NetUtil.isValidIpV4Address(h) || NetUtil.isValidIpV6Address(h)) {
            a = InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(h));
        } else {
            throw new UnknownHostException("the load tool resolves only loopback addresses and localhost, not '" + host + "'");
        }
        if (!a.isLoopbackAddress()) {
            throw new UnknownHostException("refusing non-loopback address " + host);
        }
        return a;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new AbstractAddressResolver<InetSocketAddress>(executor, InetSocketAddress.class) {
            @Override
            protected boolean doIsResolved(InetSocketAddress address) {
                return !address.isUnresolved();
            }

            @Override
            protected void doResolve(InetSocketAddress address, Promise<InetSocketAddress> promise) {
                try {
                    promise.setSuccess(new InetSocketAddress(loopback(address.getHostString()), address.getPort()));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }

            @Override
            protected void doResolveAll(InetSocketAddress address, Promise<List<InetSocketAddress>> promise) {
                try {
                    promise.setSuccess(List.of(new InetSocketAddress(loopback(address.getHostString()), address.getPort())));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }
        };
    }
}
