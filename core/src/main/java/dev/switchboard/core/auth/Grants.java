package dev.switchboard.core.auth;

import dev.switchboard.protocol.Glob;
import java.util.List;

/**
 * A session's effective channel grant (auth.md §5.1), compiled once at admission:
 *
 * <pre>
 * allows(C) = matchesAny(key.channelPatterns, C)
 *             AND (token has no channels claim OR it is empty OR matchesAny(token.channels, C))
 * </pre>
 *
 * Token channels can only narrow the key's patterns; entries outside the key's patterns are accepted and simply
 * useless (open-questions.md Q31). Immutable and safe to share between threads.
 */
public final class Grants {

    private final List<String> keyPatterns;
    private final List<String> tokenChannels;
    private final Glob[] keyGlobs;
    private final Glob[] tokenGlobs; // null = no narrowing

    private Grants(List<String> keyPatterns, List<String> tokenChannels) {
        this.keyPatterns = List.copyOf(keyPatterns);
        this.tokenChannels = tokenChannels == null || tokenChannels.isEmpty() ? List.of() : List.copyOf(tokenChannels);
        this.keyGlobs = compile(this.keyPatterns);
        this.tokenGlobs = this.tokenChannels.isEmpty() ? null : compile(this.tokenChannels);
    }

    /**
     * Compiles a grant.
     *
     * @param keyPatterns   the key's {@code channelPatterns}; {@code null} or empty allows nothing
     * @param tokenChannels the token's {@code channels} claim; {@code null} or empty means no narrowing (Q8)
     */
    public static Grants of(List<String> keyPatterns, List<String> tokenChannels) {
        return new Grants(keyPatterns == null ? List.of() : keyPatterns, tokenChannels);
    }

    /**
     * Whether a channel name — or, at subscribe time, a wildcard subscription string taken literally
     * (auth.md §5.4) — is authorized. Reserved prefixes are the caller's business (§5.5): they are refused before
     * this check.
     */
    public boolean allows(String channelOrSubscription) {
        if (channelOrSubscription == null || !matchesAny(keyGlobs, channelOrSubscription)) {
            return false;
        }
        return tokenGlobs == null || matchesAny(tokenGlobs, channelOrSubscription);
    }

    /** The key's patterns, as given. */
    public List<String> keyPatterns() {
        return keyPatterns;
    }

    /** The token's narrowing entries; empty when the token does not narrow. */
    public List<String> tokenChannels() {
        return tokenChannels;
    }

    private static Glob[] compile(List<String> patterns) {
        Glob[] globs = new Glob[patterns.size()];
        for (int i = 0; i < globs.length; i++) {
            globs[i] = Glob.compile(patterns.get(i));
        }
        return globs;
    }

    private static boolean matchesAny(Glob[] globs, String s) {
        for (Glob g : globs) {
            if (g.matches(s)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Grants[key=" + keyPatterns + ", token=" + tokenChannels + "]";
    }
}
