package io.stompgate.broker.local;

import io.stompgate.broker.BrokerMessage;
import io.stompgate.broker.History;
import io.stompgate.broker.HistoryRead;
import io.stompgate.broker.HistoryReader;
import io.stompgate.broker.HistoryStart;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The history of local mode (docs/protocol.md §7): an in-memory log of the
 * messages of topics under history, each with the next offset, kept for
 * {@code maxAge} and {@code maxBytes} like a RabbitMQ stream; its offsets start at
 * the process's start time in microseconds, so they grow across restarts. Appending and the
 * live dispatch that follows happen under one lock, so live listeners see offsets
 * in order. Reads go at their reader's pace: at most {@link #WINDOW} messages not
 * yet consumed, then they wait for {@code consumed}; a read that has caught up
 * waits for the next append.
 */
final class LocalHistory {

    /** Messages a read hands over before it waits for them to be consumed. */
    static final int WINDOW = 256;

    private record Entry(long offset, String key, BrokerMessage message, long atMillis, long size) { }

    /** Called with each appended message, under the log's lock, in offset order. */
    @FunctionalInterface
    interface Live {
        void onAppended(String key, long offset, BrokerMessage message);
    }

    private final History config;
    private final LongSupplier clock;
    private final List<Entry> entries = new ArrayList<>();
    private final Set<Read> waiting = ConcurrentHashMap.newKeySet();
    private int head;
    private long nextOffset;
    private long bytes;

    LocalHistory(History config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        // Offsets go on growing across restarts (microseconds since the epoch at start, about 2^50:
        // exact in a JavaScript number): a client resuming with an offset from before a restart asks
        // for one older than anything kept, and is told it was not recovered, never skipped ahead.
        this.nextOffset = clock.getAsLong() * 1000;
    }

    /** Appends {@code message} of topic {@code key} and hands it to {@code live}, in offset order. */
    void append(String key, BrokerMessage message, Live live) {
        synchronized (this) {
            long now = clock.getAsLong();
            long size = message.body().length + 64L * (message.headers().size() + 1);
            Entry entry = new Entry(nextOffset++, key, message, now, size);
            entries.add(entry);
            bytes += size;
            trim(now);
            live.onAppended(key, entry.offset(), message);
        }
        for (Read read : waiting) {
            read.pump();
        }
    }

    /** Starts a read from {@code start}. */
    HistoryRead read(HistoryStart start, HistoryReader reader) {
        Read read = new Read(reader, firstOffsetFor(start));
        read.pump();
        return read::cancel;
    }

    private synchronized long firstOffsetFor(HistoryStart start) {
        trim(clock.getAsLong());
        long first = head < entries.size() ? entries.get(head).offset() : nextOffset;
        if (start instanceof HistoryStart.Offset o) {
            return Math.max(o.offset(), first);
        }
        if (start instanceof HistoryStart.Timestamp t) {
            for (int i = head; i < entries.size(); i++) {
                if (entries.get(i).atMillis() >= t.epochSeconds() * 1000) {
                    return entries.get(i).offset();
                }
            }
            return nextOffset;
        }
        return first;
    }

    /** The retained entry at {@code offset}, the next retained one after a trimmed gap, or null past the end. */
    private synchronized Entry at(long offset) {
        if (head >= entries.size()) {
            return null;
        }
        long first = entries.get(head).offset();
        long index = Math.max(offset, first) - first + head;
        return index < entries.size() ? entries.get((int) index) : null;
    }

    private void trim(long now) {
        long oldest = now - config.maxAge().toMillis();
        while (head < entries.size()
                && (bytes > config.maxBytes() || entries.get(head).atMillis() < oldest)) {
            bytes -= entries.get(head).size();
            entries.set(head, null);
            head++;
        }
        if (head > 1024 && head > entries.size() / 2) {
            entries.subList(0, head).clear();
            head = 0;
        }
    }

    /** One read: a cursor and a count of what its reader has not consumed yet. */
    private final class Read {
        private final HistoryReader reader;
        private final AtomicInteger wip = new AtomicInteger();
        private final AtomicInteger unconsumed = new AtomicInteger();
        private volatile long cursor;
        private volatile boolean cancelled;

        Read(HistoryReader reader, long cursor) {
            this.reader = reader;
            this.cursor = cursor;
        }

        /** Hands over what it can; one thread at a time, the others leave it more to do. */
        void pump() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                waiting.remove(this);
                while (!cancelled && unconsumed.get() < WINDOW) {
                    Entry entry = at(cursor);
                    if (entry == null) {
                        waiting.add(this);
                        break;
                    }
                    cursor = entry.offset() + 1;
                    unconsumed.incrementAndGet();
                    reader.onMessage(entry.key(), entry.offset(), entry.message(), this::consumed);
                }
            } while (wip.decrementAndGet() != 0);
        }

        private void consumed() {
            if (unconsumed.getAndDecrement() == WINDOW) {
                pump();
            }
        }

        void cancel() {
            cancelled = true;
            waiting.remove(this);
        }
    }
}
