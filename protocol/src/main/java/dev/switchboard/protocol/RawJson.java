package dev.switchboard.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON value kept as the exact UTF-8 bytes it arrived as: a view of {@code length} bytes of {@code bytes}
 * starting at {@code offset}. User payloads ({@code data}) and metadata bags travel through the server as
 * {@code RawJson} and are spliced into outgoing frames without being parsed into trees or re-serialised.
 *
 * <p>The backing array is never modified after construction; holders must not modify it either.
 */
public final class RawJson {
    public static final RawJson NULL = of("null");

    private final byte[] bytes;
    private final int offset;
    private final int length;

    private RawJson(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + bytes.length);
        }
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /** A view of {@code bytes[offset, offset+length)}; the caller hands over the array and never changes it. */
    public static RawJson wrap(byte[] bytes, int offset, int length) {
        return new RawJson(bytes, offset, length);
    }

    /** Wraps a whole array of already-valid JSON. */
    public static RawJson wrap(byte[] bytes) {
        return new RawJson(bytes, 0, bytes.length);
    }

    /** UTF-8 encodes already-valid JSON text (tests, constants). */
    public static RawJson of(String json) {
        return wrap(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Number of bytes of the JSON text. */
    public int length() {
        return length;
    }

    /** The backing array (read-only by contract); use with {@link #offset()} and {@link #length()}. */
    public byte[] array() {
        return bytes;
    }

    public int offset() {
        return offset;
    }

    /** A fresh copy of exactly the value's bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    /** The JSON text; for logs, tests and the REST plane, not for the hot path. */
    @Override
    public String toString() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson other
                && Arrays.equals(bytes, offset, offset + length, other.bytes, other.offset, other.offset + other.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }
}
