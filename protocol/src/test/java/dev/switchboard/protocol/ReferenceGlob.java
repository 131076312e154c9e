package dev.switchboard.protocol;

/**
 * The straightforward matcher of auth.md §5.3, working directly on the pattern text with plain
 * backtracking: the oracle the compiled {@link Glob} is checked against. Exponential on hostile patterns,
 * so only use it on short inputs.
 */
final class ReferenceGlob {
    private ReferenceGlob() {
    }

    static boolean matches(String pattern, String s) {
        return match(pattern, 0, s, 0);
    }

    private static boolean match(String p, int i, String s, int j) {
        if (i == p.length()) {
            return j == s.length();
        }
        char c = p.charAt(i);
        if (c == '*') {
            int stars = 0;
            while (i + stars < p.length() && p.charAt(i + stars) == '*') {
                stars++;
            }
            boolean crossesSlash = stars >= 2;
            for (int k = j; k <= s.length(); k++) {
                if (match(p, i + stars, s, k)) {
                    return true;
                }
                if (!crossesSlash && k < s.length() && s.charAt(k) == '/') {
                    return false;
                }
            }
            return false;
        }
        char literal;
        int width;
        if (c == '\\') {
            literal = i + 1 < p.length() ? p.charAt(i + 1) : '\\';
            width = i + 1 < p.length() ? 2 : 1;
        } else {
            literal = c;
            width = 1;
        }
        return j < s.length() && s.charAt(j) == literal && match(p, i + width, s, j + 1);
    }
}
