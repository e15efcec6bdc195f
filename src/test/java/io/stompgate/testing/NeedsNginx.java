package io.stompgate.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/** The test runs the {@code nginx} binary ({@code nginx -t} on {@code docker/nginx.conf}). Tagged {@value #TAG}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(NeedsNginx.TAG)
public @interface NeedsNginx {

    String TAG = "nginx";
}
