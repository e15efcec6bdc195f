/**
 * The STOMP codec: frames, headers, limits, heart-beats, the decoder and the encoder.
 * The bottom layer: it may use only the JDK and Netty buffers ({@code io.netty.buffer})
 * — nothing else of ours, no Spring, no Reactor — so that every other layer can use it.
 */
package io.stompgate.stomp;
