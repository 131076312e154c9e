package dev.switchboard.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled channel pattern with the syntax of auth.md §5.2, matched against the whole channel string,
 * case-sensitively: {@code **} (or any longer run of stars) matches any run of chars including {@code /},
 * {@code *} any run without {@code /}, {@code \*} a literal star, {@code \\} a literal backslash,
 * {@code \c} the literal c, and a trailing lone {@code \} a literal backslash.
 *
 * <p>Compile once (key patterns, token grants, pattern subscriptions) and match many times: instances are
 * immutable and thread-safe. Matching runs a dynamic programme over (token, position) in
 * O(pattern length × channel length) time, so hostile patterns such as {@code *a*a*a*a*b} cannot cause
 * exponential backtracking. Patterns without wildcards match by {@link String#equals}.
 */
public final class Glob {
    private static final byte LITERAL = 0;
    private static final byte STAR = 1;
    private static final byte DOUBLESTAR = 2;

    private final String pattern;
    /** Token kinds, and for LITERAL tokens the unescaped text at the same index. */
    private final byte[] kinds;
    private final String[] literals;
    /** Non-null iff the pattern has no wildcard: the unescaped text the channel must equal. */
    private final String exact;
    private final int minLength;

    private Glob(String pattern, byte[] kinds, String[] literals) {
        this.pattern = pattern;
        this.kinds = kinds;
        this.literals = literals;
        int min = 0;
        boolean wildcard = false;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == LITERAL) {
                min += literals[i].length();
            } else {
                wildcard = true;
            }
        }
        this.minLength = min;
        this.exact = wildcard ? null : (kinds.length == 0 ? "" : literals[0]);
    }

    /** Compiles {@code pattern}; every string is a valid pattern. Throws NullPointerException for null. */
    public static Glob compile(String pattern) {
        List<Byte> kinds = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int n = pattern.length();
        int i = 0;
        while (i < n) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                literal.append(i + 1 < n ? pattern.charAt(i + 1) : '\\');
                i += 2;
            } else if (c == '*') {
                int run = 1;
                while (i + run < n && pattern.charAt(i + run) == '*') {
                    run++;
                }
                if (literal.length() > 0) {
                    kinds.add(LITERAL);
                    literals.add(literal.toString());
                    literal.setLength(0);
                }
                kinds.add(run == 1 ? STAR : DOUBLESTAR);
                literals.add(null);
                i += run;
            } else {
                literal.append(c);
                i++;
            }
        }
        if (literal.length() > 0) {
            kinds.add(LITERAL);
            literals.add(literal.toString());
        }
        byte[] k = new byte[kinds.size()];
        for (int t = 0; t < k.length; t++) {
            k[t] = kinds.get(t);
        }
        return new Glob(pattern, k, literals.toArray(new String[0]));
    }

    /**
     * True iff {@code s} contains an unescaped {@code *}, i.e. a subscribe on it is a pattern subscription
     * (protocol.md §6.4). False for null.
     */
    public static boolean isPattern(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++; // the escaped char, if any, is literal
            } else if (c == '*') {
                return true;
            }
        }
        return false;
    }

    /**
     * A coarser pattern in another glob syntax that matches at least every channel this one does: each literal
     * run passed through {@code literal} (to escape it for that syntax) and each wildcard run, {@code *} or
     * {@code **}, written as {@code anything}. Used where a second matcher pre-selects and this one decides.
     */
    public String coarsen(java.util.function.UnaryOperator<String> literal, String anything) {
        StringBuilder out = new StringBuilder(pattern.length() + 8);
        boolean lastWildcard = false;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == LITERAL) {
                out.append(literal.apply(literals[i]));
                lastWildcard = false;
            } else if (!lastWildcard) {
                out.append(anything);
                lastWildcard = true;
            }
        }
        return out.toString();
    }

    /** The pattern text as given to {@link #compile}. */
    public String pattern() {
        return pattern;
    }

    /** True iff the whole of {@code channel} matches this pattern. False for null. */
    public boolean matches(String channel) {
        if (channel == null) {
            return false;
        }
        if (exact != null) {
            return exact.equals(channel);
        }
        int n = channel.length();
        if (n < minLength) {
            return false;
        }
        int last = kinds.length - 1;
        if (kinds[0] == LITERAL && !channel.startsWith(literals[0])) {
            return false;
        }
        if (kinds[last] == LITERAL && !channel.endsWith(literals[last])) {
            return false;
        }
        // the common grant shapes "**", "*", "prefix/**" and "prefix*" need no table
        if (kinds[last] == DOUBLESTAR && last <= 1) {
            return true; // the literal prefix, if any, was checked above
        }
        if (kinds[last] == STAR && last <= 1) {
            return channel.indexOf('/', last == 0 ? 0 : literals[0].length()) < 0;
        }
        // reach[j]: the tokens consumed so far can match exactly channel[0, j)
        boolean[] reach = new boolean[n + 1];
        boolean[] next = new boolean[n + 1];
        reach[0] = true;
        for (int t = 0; t <= last; t++) {
            boolean any = false;
            switch (kinds[t]) {
                case LITERAL -> {
                    String lit = literals[t];
                    int len = lit.length();
                    java.util.Arrays.fill(next, false);
                    for (int j = 0; j + len <= n; j++) {
                        if (reach[j] && channel.startsWith(lit, j)) {
                            next[j + len] = true;
                            any = true;
                        }
                    }
                }
                case DOUBLESTAR -> {
                    boolean open = false;
                    for (int k = 0; k <= n; k++) {
                        open |= reach[k];
                        next[k] = open;
                    }
                    any = open;
                }
                default -> { // STAR: extends a reachable position up to (not over) the next '/'
                    boolean open = false;
                    for (int k = 0; k <= n; k++) {
                        open |= reach[k];
                        next[k] = open;
                        any |= open;
                        if (k < n && channel.charAt(k) == '/') {
                            open = false;
                        }
                    }
                }
            }
            if (!any) {
                return false;
            }
            boolean[] swap = reach;
            reach = next;
            next = swap;
        }
        return reach[n];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob other && pattern.equals(other.pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
