package dev.switchboard.loadtest.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Client-side WebSocket frame encoding. Every frame is masked (RFC 6455 requires it from clients) with the
 * all-zero key, so the payload bytes go out unchanged: a frame can be encoded once and the same bytes written
 * to every connection, and a publish frame is a template whose timestamp digits are patched in place.
 */
public final class WsFrames {
    public static final int OP_CONTINUATION = 0;
    public static final int OP_TEXT = 1;
    public static final int OP_BINARY = 2;
    public static final int OP_CLOSE = 8;
    public static final int OP_PING = 9;
    public static final int OP_PONG = 10;

    private WsFrames() {
    }

    /** Length of the header (including the 4-byte zero mask key) for a payload of {@code length} bytes. */
    public static int headerLength(int length) {
        return length < 126 ? 6 : length < 65536 ? 8 : 14;
    }

    /** Writes a complete masked frame header for {@code length} payload bytes. */
    public static void writeHeader(ByteBuf out, int opcode, int length) {
        out.writeByte(0x80 | opcode);
        if (length < 126) {
            out.writeByte(0x80 | length);
        } else if (length < 65536) {
            out.writeByte(0x80 | 126);
            out.writeShort(length);
        } else {
            out.writeByte(0x80 | 127);
            out.writeLong(length);
        }
        out.writeInt(0); // mask key 0: payload is sent as is
    }

    /** A new buffer holding one complete frame. */
    public static ByteBuf frame(ByteBufAllocator alloc, int opcode, byte[] payload) {
        ByteBuf out = alloc.buffer(headerLength(payload.length) + payload.length);
        writeHeader(out, opcode, payload.length);
        out.writeBytes(payload);
        return out;
    }
}
