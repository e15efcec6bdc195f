/**
 * How client-supplied text may appear in log lines: one sanitizer for every
 * layer. Depends on nothing but the JDK, so any package may use it.
 */
package io.stompgate.logging;
