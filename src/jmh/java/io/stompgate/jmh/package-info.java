/** JMH micro-benchmarks; run with {@code mvn -q test-compile exec:exec -Djmh.args="..."} (see README). */
package io.stompgate.jmh;
