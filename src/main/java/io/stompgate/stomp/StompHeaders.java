package io.stompgate.stomp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The headers of a frame, in wire order, immutable. Repeated names are kept, but
 * {@link #get} returns the first: STOMP 1.2 §"Repeated Header Entries" says only
 * the first entry should be used. Stored as one flat array, so a frame's headers
 * cost one object beyond their strings.
 */
public final class StompHeaders {

    public static final String ACCEPT_VERSION = "accept-version";
    public static final String ACK = "ack";
    public static final String AUTHORIZATION = "Authorization";
    public static final String CONTENT_LENGTH = "content-length";
    public static final String CONTENT_TYPE = "content-type";
    public static final String DESTINATION = "destination";
    public static final String HEART_BEAT = "heart-beat";
    public static final String HOST = "host";
    public static final String ID = "id";
    public static final String LOGIN = "login";
    public static final String MESSAGE = "message";
    public static final String MESSAGE_ID = "message-id";
    public static final String PASSCODE = "passcode";
    public static final String RECEIPT = "receipt";
    public static final String RECEIPT_ID = "receipt-id";
    public static final String REDELIVERED = "redelivered";
    public static final String SERVER = "server";
    public static final String SESSION = "session";
    public static final String SUBSCRIPTION = "subscription";
    public static final String TRANSACTION = "transaction";
    public static final String USER_NAME = "user-name";
    public static final String VERSION = "version";

    public static final StompHeaders EMPTY = new StompHeaders(new String[0], 0);

    /** Names and values interleaved: name0, value0, name1, value1, ... */
    private final String[] entries;
    private final int size;

    private StompHeaders(String[] entries, int size) {
        this.entries = entries;
        this.size = size;
    }

    public static Builder builder() {
        return new Builder(8);
    }

    public static StompHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Builder b = new Builder(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    /** The value of the first header named {@code name}, or null. */
    public String get(String name) {
        for (int i = 0; i < size * 2; i += 2) {
            if (entries[i].equals(name)) {
                return entries[i + 1];
            }
        }
        return null;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    public int size() {
        return size;
    }

    public String name(int index) {
        Objects.checkIndex(index, size);
        return entries[index * 2];
    }

    public String value(int index) {
        Objects.checkIndex(index, size);
        return entries[index * 2 + 1];
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size * 2; i += 2) {
            action.accept(entries[i], entries[i + 1]);
        }
    }

    /** A builder seeded with these headers, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(size + 4);
        for (int i = 0; i < size * 2; i += 2) {
            b.add(entries[i], entries[i + 1]);
        }
        return b;
    }

    /** The headers whose names pass {@code keep}, in order; repeats included. */
    public StompHeaders filter(Predicate<String> keep) {
        Builder b = new Builder(size);
        for (int i = 0; i < size * 2; i += 2) {
            if (keep.test(entries[i])) {
                b.add(entries[i], entries[i + 1]);
            }
        }
        return b.build();
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(size);
        for (int i = 0; i < size * 2; i += 2) {
            names.add(entries[i]);
        }
        return names;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StompHeaders other) || other.size != size) {
            return false;
        }
        return Arrays.equals(entries, 0, size * 2, other.entries, 0, size * 2);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size * 2; i++) {
            h = 31 * h + entries[i].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size * 2; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(entries[i]).append('=').append(entries[i + 1]);
        }
        return sb.append('}').toString();
    }

    /** Collects headers in order; not thread-safe, used once. */
    public static final class Builder {
        private String[] entries;
        private int size;

        private Builder(int capacity) {
            this.entries = new String[Math.max(2, capacity * 2)];
        }

        public Builder add(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (size * 2 == entries.length) {
                entries = Arrays.copyOf(entries, entries.length * 2);
            }
            entries[size * 2] = name;
            entries[size * 2 + 1] = value;
            size++;
            return this;
        }

        /** Replaces every header named {@code name} with one entry, kept at the first one's place. */
        public Builder set(String name, String value) {
            int first = -1;
            int write = 0;
            for (int i = 0; i < size; i++) {
                String n = entries[i * 2];
                if (n.equals(name)) {
                    if (first >= 0) {
                        continue;
                    }
                    first = write;
                }
                entries[write * 2] = n;
                entries[write * 2 + 1] = entries[i * 2 + 1];
                write++;
            }
            Arrays.fill(entries, write * 2, size * 2, null);
            size = write;
            if (first >= 0) {
                entries[first * 2 + 1] = value;
                return this;
            }
            return add(name, value);
        }

        public Builder addAll(StompHeaders headers) {
            headers.forEach(this::add);
            return this;
        }

        public int size() {
            return size;
        }

        public StompHeaders build() {
            return size == 0 ? EMPTY : new StompHeaders(Arrays.copyOf(entries, size * 2), size);
        }
    }
}
