package io.stompgate.broker;

import java.util.Locale;

/**
 * Where a read of the history starts, in RabbitMQ's own terms for a stream
 * ({@code x-stream-offset}): {@code next}, {@code first}, {@code last},
 * {@code offset=<n>} or {@code timestamp=<unix seconds>} (docs/protocol.md §7).
 */
public sealed interface HistoryStart {

    /** Live messages only: nothing is read. */
    record Next() implements HistoryStart { }

    /** Everything retained. */
    record First() implements HistoryStart { }

    /** The newest retained message of each concrete destination that matches. */
    record Last() implements HistoryStart { }

    /** From offset {@code offset} inclusive: a client resumes with its last offset plus one. */
    record Offset(long offset) implements HistoryStart { }

    /** From the first message published at or after {@code epochSeconds}. */
    record Timestamp(long epochSeconds) implements HistoryStart { }

    /**
     * The start named by a SUBSCRIBE's {@code x-stream-offset} header.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static HistoryStart parse(String header) {
        String value = header.trim();
        switch (value.toLowerCase(Locale.ROOT)) {
            case "next":
                return new Next();
            case "first":
                return new First();
            case "last":
                return new Last();
            default:
                break;
        }
        int eq = value.indexOf('=');
        String name = eq < 0 ? "" : value.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        long number;
        try {
            number = Long.parseLong(value.substring(eq + 1).trim());
        }
        catch (NumberFormatException e) {
            number = -1;
        }
        if (eq > 0 && number >= 0 && name.equals("offset")) {
            return new Offset(number);
        }
        if (eq > 0 && number >= 0 && name.equals("timestamp")) {
            return new Timestamp(number);
        }
        throw new IllegalArgumentException("x-stream-offset must be next, first, last, offset=<n> or "
                + "timestamp=<unix seconds>, was '" + (value.length() <= 60 ? value : value.substring(0, 57) + "...") + "'");
    }
}
