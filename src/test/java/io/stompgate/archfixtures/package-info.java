/**
 * A miniature of the main layering, compiled with the tests and never part of the
 * product: {@code ArchitectureTest} runs every layer rule against these classes,
 * rooted here instead of at {@code io.stompgate}, to show that each rule reports
 * the classes written to break it and none of the others. Nothing here is a bean.
 */
package io.stompgate.archfixtures;
