package io.stompgate.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * The test drives a real browser: Debian's Chromium through Node.js 20+ and the npm packages of
 * {@code e2e/} ({@code .ci/run} installs them). Tagged {@value #TAG}, which implies Node.js: such a
 * test is not tagged {@link NeedsNode} as well.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(NeedsBrowser.TAG)
public @interface NeedsBrowser {

    String TAG = "browser";
}
