package io.stompgate.auth;

/**
 * A token that does not prove an identity. The message says why in words fit
 * for a client (an HTTP 401 body, an ERROR frame) and never quotes the token.
 */
public final class TokenRejectedException extends RuntimeException {

    public TokenRejectedException(String message) {
        super(message, null, false, false);
    }
}
