package io.stompgate.archfixtures.cluster;

/** Breaks the cluster rule by using Spring, which only the wiring around it may. */
public final class UsesSpring {

    public static boolean named(String name) {
        return org.springframework.util.StringUtils.hasText(name);
    }
}
