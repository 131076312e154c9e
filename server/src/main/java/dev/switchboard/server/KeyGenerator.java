package dev.switchboard.server;

import java.security.SecureRandom;

/** Fresh key material in the shapes of open-questions.md Q36: {@code pk_live_…}, {@code sk_id_…}, {@code sk_secret_…}. */
public final class KeyGenerator {
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private final SecureRandom random = new SecureRandom();

    public String publishableId() {
        return "pk_live_" + random(24);
    }

    public String secretId() {
        return "sk_id_" + random(24);
    }

    public String secret() {
        return "sk_secret_" + random(40);
    }

    private String random(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
