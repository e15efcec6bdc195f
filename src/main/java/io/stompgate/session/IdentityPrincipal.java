package io.stompgate.session;

import java.security.Principal;

/**
 * Carries an {@link Identity} through the HTTP handshake as the exchange's
 * {@link Principal}, from the authentication filter to the session.
 */
public record IdentityPrincipal(Identity identity) implements Principal {

    @Override
    public String getName() {
        return identity.name();
    }
}
