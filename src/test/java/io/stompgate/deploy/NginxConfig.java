package io.stompgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** docker/nginx.conf as a tree of directives (comments dropped; quoting as nginx reads it). */
final class NginxConfig {

    /** One directive: its name, its arguments, and its block if it has one. */
    record Directive(String name, List<String> args, List<Directive> block) {

        List<Directive> all(String name) {
            List<Directive> found = new ArrayList<>();
            if (block != null) {
                for (Directive d : block) {
                    if (d.name().equals(name)) {
                        found.add(d);
                    }
                }
            }
            return found;
        }

        Directive one(String name) {
            List<Directive> found = all(name);
            if (found.size() != 1) {
                throw new AssertionError("expected one '" + name + "' in '" + this.name + "', found " + found.size());
            }
            return found.get(0);
        }

        /** Every directive named {@code name} anywhere below this one. */
        List<Directive> deep(String name) {
            List<Directive> found = new ArrayList<>();
            if (block != null) {
                for (Directive d : block) {
                    if (d.name().equals(name)) {
                        found.add(d);
                    }
                    found.addAll(d.deep(name));
                }
            }
            return found;
        }
    }

    static Path file() {
        return Manifests.docker().resolve("nginx.conf");
    }

    static String text() {
        try {
            return Files.readString(file());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole file as the block of a pseudo directive "main". */
    static Directive parse(String text) {
        List<String> tokens = tokens(text);
        int[] at = {0};
        List<Directive> block = parseBlock(tokens, at);
        if (at[0] != tokens.size()) {
            throw new IllegalArgumentException("unbalanced '}' in nginx.conf");
        }
        return new Directive("main", List.of(), block);
    }

    private static List<Directive> parseBlock(List<String> tokens, int[] at) {
        List<Directive> block = new ArrayList<>();
        List<String> words = new ArrayList<>();
        while (at[0] < tokens.size()) {
            String t = tokens.get(at[0]++);
            switch (t) {
                case ";" -> {
                    block.add(new Directive(words.get(0), List.copyOf(words.subList(1, words.size())), null));
                    words.clear();
                }
                case "{" -> {
                    List<Directive> inner = parseBlock(tokens, at);
                    block.add(new Directive(words.get(0), List.copyOf(words.subList(1, words.size())), inner));
                    words.clear();
                }
                case "}" -> {
                    return block;
                }
                default -> words.add(t);
            }
        }
        if (!words.isEmpty()) {
            throw new IllegalArgumentException("unterminated directive " + words);
        }
        return block;
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                word.append(text, i + 1, end);
                tokens.add(word.toString());
                word.setLength(0);
                i = end;
                continue;
            }
            if (Character.isWhitespace(c) || c == ';' || c == '{' || c == '}') {
                if (!word.isEmpty()) {
                    tokens.add(word.toString());
                    word.setLength(0);
                }
                if (!Character.isWhitespace(c)) {
                    tokens.add(String.valueOf(c));
                }
                continue;
            }
            word.append(c);
        }
        return tokens;
    }
}
