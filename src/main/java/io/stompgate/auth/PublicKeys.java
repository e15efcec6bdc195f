package io.stompgate.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads a PEM public key (RSA or EC, SubjectPublicKeyInfo), given inline or as a file path. */
public final class PublicKeys {

    private PublicKeys() {
    }

    /**
     * @param value the PEM text, or a path ({@code file:} prefix optional) to a file holding it
     * @param property the property it came from, named in errors
     */
    public static PublicKey read(String value, String property) {
        String pem = value.trim();
        if (!pem.startsWith("-----BEGIN")) {
            Path path = Path.of(pem.startsWith("file:") ? pem.substring("file:".length()) : pem);
            try {
                pem = Files.readString(path, StandardCharsets.UTF_8).trim();
            }
            catch (IOException e) {
                throw new IllegalArgumentException(property + " is neither a PEM public key nor a readable file: " + path);
            }
        }
        if (!pem.startsWith("-----BEGIN PUBLIC KEY-----")) {
            throw new IllegalArgumentException(property + " must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " holds malformed base64");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            }
            catch (Exception e) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException(property + " is not an RSA or EC public key");
    }
}
