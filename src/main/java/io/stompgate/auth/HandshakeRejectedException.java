package io.stompgate.auth;

import org.springframework.http.HttpStatus;

/** A handshake refused before the upgrade, with the status and the reason the client gets. */
public final class HandshakeRejectedException extends RuntimeException {

    private final HttpStatus status;

    public HandshakeRejectedException(HttpStatus status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }
}
