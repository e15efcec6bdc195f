package io.stompgate.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * The test runs a Node.js script with npm packages of the repository ({@code k8s-schema/}:
 * Node.js 20+ and {@code npm ci --prefix k8s-schema}, which {@code .ci/run} installs). Tagged
 * {@value #TAG}. (The browser test needs Node.js too; it is tagged {@link NeedsBrowser}.)
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(NeedsNode.TAG)
public @interface NeedsNode {

    String TAG = "node";
}
