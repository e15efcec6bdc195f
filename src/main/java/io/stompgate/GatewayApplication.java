package io.stompgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import reactor.netty.ReactorNetty;

/** Starts a gateway node. */
@SpringBootApplication
public class GatewayApplication {

    public static void main(String[] args) {
        // Reactor Netty's event loops wait out a 2 s quiet period each when they shut down, which
        // added about 7 s to every exit. By then the drain has closed every session and the web
        // server has stopped, so there is nothing left to wait for. -D...=N still overrides it.
        if (System.getProperty(ReactorNetty.SHUTDOWN_QUIET_PERIOD) == null) {
            System.setProperty(ReactorNetty.SHUTDOWN_QUIET_PERIOD, "0");
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}
